-- Extend a held lease (heartbeat); a worker whose token no longer matches has lost it.
-- KEYS: 1 due, 2 claim   ARGV: 1 phone, 2 token, 3 now_ms, 4 lease_ms
if redis.call('HGET', KEYS[2], 'token') ~= ARGV[2] then return 0 end
local until_ms = tonumber(ARGV[3]) + tonumber(ARGV[4])
redis.call('HSET', KEYS[2], 'lease_until', until_ms)
redis.call('ZADD', KEYS[1], until_ms, ARGV[1])
return 1
