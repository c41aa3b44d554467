-- End a claimed record event: "done" drops it; "retry" makes it due again at ARGV[4] (the
-- next claim counts an attempt); "later" too, without counting this attempt (the phone's
-- turn was under way: nothing failed).
-- KEYS: 1 the bucket's events hash, 2 its due set
-- ARGV: 1 event id, 2 token, 3 outcome, 4 due_ms
-- Returns 1 when the claim was still ours, 0 when it had been lost.
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local e = cjson.decode(raw)
if e.token ~= ARGV[2] then return 0 end
if ARGV[3] == 'done' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 1
end
e.token = ''
if ARGV[3] == 'later' then e.attempts = e.attempts - 1 end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(e))
redis.call('ZADD', KEYS[2], tonumber(ARGV[4]), ARGV[1])
return 1
