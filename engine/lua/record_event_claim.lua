-- Claim one due record webhook event with a lease (a follower that dies leaves the lease
-- to run out, and the event is claimed again).
-- KEYS: 1 the bucket's events hash, 2 its due set, 3 its dead list
-- ARGV: 1 event id, 2 now_ms, 3 lease_ms, 4 token, 5 max_attempts
-- Returns nil, or {"run"|"gave_up", event json}; "gave_up" after max_attempts claims: the
-- event is moved to the dead list (kept for the engineer) and out of the queue.
local now = tonumber(ARGV[2])
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not score or tonumber(score) > now then return nil end
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return nil
end
local e = cjson.decode(raw)
e.attempts = (e.attempts or 0) + 1
if e.attempts > tonumber(ARGV[5]) then
  e.failed_ms = now
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('RPUSH', KEYS[3], cjson.encode(e))
  redis.call('LTRIM', KEYS[3], -100, -1)
  return {'gave_up', cjson.encode(e)}
end
e.token = ARGV[4]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(e))
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
return {'run', cjson.encode(e)}
