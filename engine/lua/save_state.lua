-- Save a conversation if nobody saved it since we loaded it (compare-and-set on version)
-- and, for a turn, only while the turn's worker still holds the phone's claim (fencing: a
-- turn that outlived its lease must not overwrite the new owner's work); record its
-- replies in the outbox in the same step, and index the save for the operator console
-- (`note`: engine/lua/note_activity.lua), so a saved turn costs one round trip (issue 15).
-- For a turn, the same round trip also carries what used to cost three more (issue 15):
-- the reminders of the visits its YClients writes booked, moved or cancelled (`schedule`,
-- `drop`: engine/lua/reminder_schedule.lua, reminder_drop.lua), and the check that clears
-- its first reply to go (`ready_check`: engine/lua/outbox_ready.lua). engine/conversations.py
-- puts those scripts before this text as local functions.
-- KEYS: 1 state hash, 2 outbox hash, 3 claim hash, 4 activity zset, 5 timeline list,
--       6 bookings zset, 7 takeover hash, 8 sent hash, 9 reminders hash,
--       10 reminders due zset (the phone's bucket: one slot)
-- ARGV: 1 expected version, 2 new version, 3 document json, 4 ttl seconds,
--       5 claim token ('' = not a turn: no claim to check; '*' = not a turn, and only
--       while no turn of this phone is under way), 6 number of index arguments (n),
--       7 .. 6 + n the index's arguments (note_activity.lua's ARGV),
--       7 + n the reminder calls, JSON [[name, ARGV...], ...] ('' = none; name is
--       "schedule" or "drop"), 8 + n the first reply's ready check, JSON: outbox_ready.lua's
--       ARGV ('' = none), then outbox pairs (id, json)
-- Returns {outcome, outbox, ready, failed}: outcome 1 saved, 0 another writer saved first,
-- -1 the claim is not ours (fenced out), -2 a turn of this phone is under way (its claim
-- is held); outbox: the outbox hash after a save (field, value, ...), what the turn sends
-- next; ready: outbox_ready.lua's answer for the first reply after a save (1 send it, 0 a
-- person has the chat: hold it), '' when not asked; failed: reminder calls that failed.
local n = tonumber(ARGV[6])

-- The reminders first, whatever the save's outcome: the YClients write they follow was
-- fenced and has happened, so they must follow it even when this save is fenced out or
-- beaten (the retried turn finds the same booking by api_id and schedules them again:
-- both scripts are idempotent), as when each was its own call right after the write.
-- A damaged reminders hash must not fail the save: the caller logs `failed`.
local failed = 0
if ARGV[7 + n] ~= '' then
  for _, call in ipairs(cjson.decode(ARGV[7 + n])) do
    local name = table.remove(call, 1)
    local run = (name == 'drop') and drop or schedule
    if not pcall(run, {KEYS[9], KEYS[10]}, call) then failed = failed + 1 end
  end
end

if ARGV[5] == '*' then
  if redis.call('HEXISTS', KEYS[3], 'token') == 1 then return {-2, {}, '', failed} end
elseif ARGV[5] ~= '' and redis.call('HGET', KEYS[3], 'token') ~= ARGV[5] then
  return {-1, {}, '', failed}
end
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return {0, {}, '', failed} end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'doc', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
local first_pair = 9 + n
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
-- The first reply is cleared here, not by its own round trip: the turn sends it as soon
-- as this answer comes (no other Redis call between), so the claim checked above is as
-- fresh as a check of its own would be; a person who took the chat during the turn is
-- seen here as there; and the echo note is written before the send, as it must be.
local ready = ''
if ARGV[8 + n] ~= '' then
  ready = ready_check({KEYS[3], KEYS[7], KEYS[8]}, cjson.decode(ARGV[8 + n]))
end
return {1, redis.call('HGETALL', KEYS[2]), ready, failed}
