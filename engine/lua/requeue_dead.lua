-- Put a dead batch back in front of its phone's pending messages, due at once.
-- The messages keep their ids, so the batch keeps its id: a turn that was saved before its
-- replies failed only sends what is left in its outbox (engine/dialogue_runner.py).
-- KEYS: 1 dead, 2 pending, 3 meta, 4 claim, 5 due, 6 oldest, 7 stats
-- ARGV: 1 the dead entry (exactly as stored), 2 phone, 3 now_ms, 4 wake channel,
--       5.. the stored messages, in order
-- Returns 1 when requeued, 0 when the entry was gone (requeued or dropped already).
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
local phone, now = ARGV[2], tonumber(ARGV[3])
for i = #ARGV, 5, -1 do
  redis.call('LPUSH', KEYS[2], ARGV[i])
end
-- The batch is as old as its first message (kept if messages came in since), due now.
local first = tonumber(redis.call('HGET', KEYS[3], 'first_ms') or '0')
if first == 0 then first = now end
redis.call('HSET', KEYS[3], 'first_ms', first, 'last_ms', now, 'due_ms', now)
-- While a batch of this phone is claimed, the due index holds its lease; its ack puts
-- this pending batch in the index (as for a message appended during a turn).
if redis.call('EXISTS', KEYS[4]) == 0 then
  redis.call('ZADD', KEYS[5], now, phone)
end
redis.call('ZADD', KEYS[6], 'NX', first, phone)
redis.call('HINCRBY', KEYS[7], 'pending_messages', #ARGV - 4)
redis.call('PUBLISH', ARGV[4], now)
return 1
