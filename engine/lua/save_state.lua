-- Save a conversation if nobody saved it since we loaded it (compare-and-set on version),
-- and record its replies in the outbox in the same step.
-- KEYS: 1 state hash, 2 outbox hash
-- ARGV: 1 expected version, 2 new version, 3 document json, 4 ttl seconds,
--       5.. outbox pairs (reply id, reply json)
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'doc', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
if #ARGV >= 5 then
  for i = 5, #ARGV, 2 do
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  end
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return 1
