-- Save a conversation if nobody saved it since we loaded it (compare-and-set on version)
-- and, for a turn, only while the turn's worker still holds the phone's claim (fencing: a
-- turn that outlived its lease must not overwrite the new owner's work); record its
-- replies in the outbox in the same step, and index the save for the operator console
-- (`note`: engine/lua/note_activity.lua, which engine/conversations.py puts before this
-- text), so a saved turn costs one round trip (issue 15).
-- KEYS: 1 state hash, 2 outbox hash, 3 claim hash, 4 activity zset, 5 timeline list,
--       6 bookings zset (the phone's bucket: one slot)
-- ARGV: 1 expected version, 2 new version, 3 document json, 4 ttl seconds,
--       5 claim token ('' = not a turn: no claim to check; '*' = not a turn, and only
--       while no turn of this phone is under way), 6 number of index arguments (n),
--       7 .. 6 + n the index's arguments (note_activity.lua's ARGV), then outbox pairs
--       (id, json)
-- Returns {outcome, outbox}: outcome 1 saved, 0 another writer saved first, -1 the claim
-- is not ours (fenced out), -2 a turn of this phone is under way (its claim is held);
-- outbox: the outbox hash after a save (field, value, ...), what the turn sends next.
if ARGV[5] == '*' then
  if redis.call('HEXISTS', KEYS[3], 'token') == 1 then return {-2, {}} end
elseif ARGV[5] ~= '' and redis.call('HGET', KEYS[3], 'token') ~= ARGV[5] then
  return {-1, {}}
end
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return {0, {}} end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'doc', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
local n = tonumber(ARGV[6])
local first_pair = 7 + n
if #ARGV >= first_pair then
  for i = first_pair, #ARGV, 2 do
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  end
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
local index_args = {}
for i = 1, n do index_args[i] = ARGV[6 + i] end
-- The index is a view: a damaged timeline must not fail the save.
pcall(note, {KEYS[4], KEYS[5], KEYS[6]}, index_args)
return {1, redis.call('HGETALL', KEYS[2])}
