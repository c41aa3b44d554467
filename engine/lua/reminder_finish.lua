-- End a claimed reminder job, if the claim is still ours.
-- outcome "sent": sent now (next_ms > 0: its answer is awaited until then, as an "expire"
--   job; 0: no answer awaited); "retry": scheduled again at next_ms; "failed" or
--   "expired": given up; "unanswered": the answer deadline passed.
-- KEYS: 1 the phone's reminders hash, 2 the bucket's reminders due set
-- ARGV: 1 member, 2 field, 3 token, 4 now_ms, 5 outcome, 6 next_ms
-- Returns 1 when the claim was ours, 0 when it had been lost (or the reminder replaced).
local raw = redis.call('HGET', KEYS[1], ARGV[2])
if not raw then return 0 end
local e = cjson.decode(raw)
if e.token ~= ARGV[3] then return 0 end
local outcome, next_ms = ARGV[5], tonumber(ARGV[6])
e.token = ''
if outcome == 'sent' then
  e.status, e.sent_ms, e.asked = 'sent', tonumber(ARGV[4]), next_ms > 0
  e.deadline_ms = next_ms
elseif outcome == 'retry' then
  e.status = 'scheduled'
else
  e.status = outcome
end
redis.call('HSET', KEYS[1], ARGV[2], cjson.encode(e))
if next_ms > 0 and (outcome == 'sent' or outcome == 'retry') then
  redis.call('ZADD', KEYS[2], next_ms, ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 1
