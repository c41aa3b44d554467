-- End a claim. outcome "done": the batch is processed and dropped. outcome "retry": the
-- batch stays inflight and is due again at now + ARGV[5] (a later claim counts an attempt).
-- KEYS: 1 due, 2 oldest, 3 pending, 4 meta, 5 inflight, 6 claim, 7 stats
-- ARGV: 1 phone, 2 token, 3 now_ms, 4 outcome, 5 retry_delay_ms, 6 wake channel
-- Returns 1 when the claim was still ours, 0 when it had been lost.
local phone, now = ARGV[1], tonumber(ARGV[3])
if redis.call('HGET', KEYS[6], 'token') ~= ARGV[2] then return 0 end
if ARGV[4] == 'retry' then
  redis.call('HDEL', KEYS[6], 'token', 'lease_until')
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), phone)
  return 1
end
local n = redis.call('LLEN', KEYS[5])
redis.call('DEL', KEYS[5], KEYS[6])
redis.call('HINCRBY', KEYS[7], 'pending_messages', -n)
redis.call('HINCRBY', KEYS[7], 'processed_batches', 1)
redis.call('HINCRBY', KEYS[7], 'processed_messages', n)
if redis.call('LLEN', KEYS[3]) > 0 then
  -- Messages that came during the turn form the next batch, due on their own clock.
  local meta = redis.call('HMGET', KEYS[4], 'first_ms', 'due_ms')
  redis.call('ZADD', KEYS[1], meta[2], phone)
  redis.call('ZADD', KEYS[2], meta[1], phone)
  redis.call('PUBLISH', ARGV[6], meta[2])
else
  redis.call('ZREM', KEYS[1], phone)
  redis.call('ZREM', KEYS[2], phone)
end
return 1
