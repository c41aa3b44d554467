-- Claim one due reminder job with a lease: "send" for a scheduled reminder (or one whose
-- sender died: its lease ran out), "expire" for a sent one past its answer deadline.
-- KEYS: 1 the phone's reminders hash, 2 the bucket's reminders due set
-- ARGV: 1 member, 2 field, 3 now_ms, 4 lease_ms, 5 token, 6 max_attempts
-- Returns nil, or {job, entry json, visit json, confirmed (1|0)}; job "gave_up" when the
-- reminder failed max_attempts claims (it is then "failed" and out of the due set).
-- (due_entry and lease: due_claim.lua)
local now = tonumber(ARGV[3])
local e = due_entry(KEYS[1], KEYS[2], ARGV[1], ARGV[2], now)
if not e then return nil end
local job
if e.status == 'scheduled' or e.status == 'sending' then
  job = 'send'
  e.attempts = e.attempts + 1
  if e.attempts > tonumber(ARGV[6]) then
    e.status, e.token = 'failed', ''
    redis.call('HSET', KEYS[1], ARGV[2], cjson.encode(e))
    redis.call('ZREM', KEYS[2], ARGV[1])
    return {'gave_up', cjson.encode(e), redis.call('HGET', KEYS[1], 'v|' .. e.record_id) or '',
            0}
  end
  e.status = 'sending'
elseif e.status == 'sent' or e.status == 'expiring' then
  job = 'expire'
  e.status = 'expiring'
else
  redis.call('ZREM', KEYS[2], ARGV[1])
  return nil
end
lease(KEYS[1], KEYS[2], ARGV[1], ARGV[2], e, ARGV[5], now + tonumber(ARGV[4]))
-- Whether the client already confirmed this visit (an earlier reminder's answer).
local confirmed = 0
local prefix = e.record_id .. '|'
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, #prefix) == prefix and string.find(all[i + 1], '"confirmed"', 1, true)
  then
    if cjson.decode(all[i + 1]).status == 'confirmed' then confirmed = 1 end
  end
end
return {job, cjson.encode(e), redis.call('HGET', KEYS[1], 'v|' .. e.record_id) or '', confirmed}
