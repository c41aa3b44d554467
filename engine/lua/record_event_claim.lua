-- Claim one due record webhook event with a lease (a follower that dies leaves the lease
-- to run out, and the event is claimed again).
-- KEYS: 1 the bucket's events hash, 2 its due set, 3 its dead list
-- ARGV: 1 event id, 2 now_ms, 3 lease_ms, 4 token, 5 max_attempts
-- Returns nil, or {"run"|"gave_up", event json}; "gave_up" after max_attempts claims: the
-- event is moved to the dead list (kept for the engineer) and out of the queue.
-- (due_entry and lease: due_claim.lua)
local now = tonumber(ARGV[2])
local e = due_entry(KEYS[1], KEYS[2], ARGV[1], ARGV[1], now)
if not e then return nil end
e.attempts = (e.attempts or 0) + 1
if e.attempts > tonumber(ARGV[5]) then
  e.failed_ms = now
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('RPUSH', KEYS[3], cjson.encode(e))
  redis.call('LTRIM', KEYS[3], -100, -1)
  return {'gave_up', cjson.encode(e)}
end
lease(KEYS[1], KEYS[2], ARGV[1], ARGV[1], e, ARGV[4], now + tonumber(ARGV[3]))
return {'run', cjson.encode(e)}
