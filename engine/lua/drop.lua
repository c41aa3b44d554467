-- Drop a phone's pending (not yet claimed) messages. A batch being processed is left alone.
-- KEYS: 1 due, 2 oldest, 3 pending, 4 meta, 5 claim, 6 stats   ARGV: 1 phone
-- Returns the number of messages dropped.
local phone = ARGV[1]
local n = redis.call('LLEN', KEYS[3])
if n == 0 then return 0 end
redis.call('DEL', KEYS[3])
redis.call('HDEL', KEYS[4], 'first_ms', 'last_ms', 'due_ms', 'backlog')
redis.call('HINCRBY', KEYS[6], 'pending_messages', -n)
if redis.call('EXISTS', KEYS[5]) == 1 then
  local first = redis.call('HGET', KEYS[5], 'first_ms')
  if first then redis.call('ZADD', KEYS[2], first, phone) end
else
  redis.call('ZREM', KEYS[1], phone)
  redis.call('ZREM', KEYS[2], phone)
end
return n
