-- Apply what a record webhook taught us, once: compare-and-set on the record's fingerprint.
-- KEYS: 1 the record's hash (fp, visit, last_change, "expect|<fp>" -> until_ms,
--       "applied|<event id>" -> what the record was before that event)
-- ARGV: 1 the fingerprint the caller computed from ("" for a record never seen),
--       2 the new fingerprint, 3 the new visit json, 4 last_change ("" unknown),
--       5 now_ms, 6 ttl_ms, 7 "force" to store whatever was there (the bot's own change),
--       8 the webhook event's id ("" none): what the record was before is kept under
--       "applied|<id>", so a follower that died after this step finds the same effect
--       again instead of a duplicate.
-- Returns {"conflict"} (someone applied another event meanwhile: read again and retry),
-- {"duplicate"} (this state is already known), or {"applied", own (1|0)} where own says the
-- bot announced this very change beforehand (RecordLog.expect).
local current = redis.call('HGET', KEYS[1], 'fp') or ''
local now = tonumber(ARGV[5])
if ARGV[7] ~= 'force' then
  if current ~= ARGV[1] then return {'conflict'} end
  if current == ARGV[2] then return {'duplicate'} end
end
local own = 0
local until_ms = redis.call('HGET', KEYS[1], 'expect|' .. ARGV[2])
if until_ms then
  if tonumber(until_ms) >= now then own = 1 end
  redis.call('HDEL', KEYS[1], 'expect|' .. ARGV[2])
end
if ARGV[8] ~= nil and ARGV[8] ~= '' then
  local before = redis.call('HMGET', KEYS[1], 'visit', 'last_change')
  redis.call('HSET', KEYS[1], 'applied|' .. ARGV[8], cjson.encode({
    fp = current, visit = before[1] or '', last_change = before[2] or '', own = own}))
end
redis.call('HSET', KEYS[1], 'fp', ARGV[2], 'visit', ARGV[3], 'last_change', ARGV[4])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[6]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
end
return {'applied', own}
