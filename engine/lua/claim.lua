-- Claim a phone whose batch is due: move pending -> inflight and take a lease.
-- A batch whose lease ran out (its worker died) is claimed again as it was.
-- A batch holds at most max_size messages: of a longer pending list the first max_size
-- (in arrival order) are claimed, the rest stays pending as the next batch, due at once
-- when this turn ends (interface: "a longer backlog becomes several batches, in order").
-- KEYS: 1 due, 2 pending, 3 meta, 4 inflight, 5 claim, 6 dead, 7 stats, 8 oldest
-- ARGV: 1 phone, 2 now_ms, 3 lease_ms, 4 token, 5 max_attempts, 6 max_size,
--       7 dead letters kept per bucket
-- Returns nil when nothing was claimed, else
--   {token, attempt, first_ms, due_ms, lease_until, message...}.
local phone, now, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local score = redis.call('ZSCORE', KEYS[1], phone)
if not score or tonumber(score) > now then return nil end

if redis.call('EXISTS', KEYS[4]) == 0 then
  if redis.call('LLEN', KEYS[2]) == 0 then
    -- Nothing left to do for this phone (e.g. its pending batch was deleted).
    redis.call('ZREM', KEYS[1], phone)
    redis.call('ZREM', KEYS[8], phone)
    redis.call('DEL', KEYS[5])
    return nil
  end
  local max_size = tonumber(ARGV[6])
  local meta = redis.call('HMGET', KEYS[3], 'first_ms', 'due_ms')
  if redis.call('LLEN', KEYS[2]) <= max_size then
    redis.call('RENAME', KEYS[2], KEYS[4])
    redis.call('HDEL', KEYS[3], 'first_ms', 'last_ms', 'due_ms', 'backlog')
  else
    for _, item in ipairs(redis.call('LRANGE', KEYS[2], 0, max_size - 1)) do
      redis.call('RPUSH', KEYS[4], item)
    end
    redis.call('LTRIM', KEYS[2], max_size, -1)
    local rest_first = string.match(redis.call('LINDEX', KEYS[2], 0), '"arrival_ms":(%d+)')
    redis.call('HSET', KEYS[3], 'first_ms', rest_first or now, 'due_ms', now, 'backlog', 1)
  end
  redis.call('DEL', KEYS[5])
  redis.call('HSET', KEYS[5], 'first_ms', meta[1] or now, 'due_ms', meta[2] or now, 'attempts', 0)
end

local attempt = redis.call('HINCRBY', KEYS[5], 'attempts', 1)
if attempt > tonumber(ARGV[5]) then
  -- A batch that kept killing its worker: keep it for the engineer, move on.
  local n = redis.call('LLEN', KEYS[4])
  local items = redis.call('LRANGE', KEYS[4], 0, -1)
  redis.call('RPUSH', KEYS[6], cjson.encode({phone = phone, failed_ms = now, messages = items}))
  -- Bounded: the newest letters are kept (the oldest are what the engineer has seen).
  redis.call('LTRIM', KEYS[6], -tonumber(ARGV[7]), -1)
  redis.call('DEL', KEYS[4], KEYS[5])
  redis.call('HINCRBY', KEYS[7], 'failed_batches', 1)
  redis.call('HINCRBY', KEYS[7], 'pending_messages', -n)
  if redis.call('LLEN', KEYS[2]) > 0 then
    local meta = redis.call('HMGET', KEYS[3], 'first_ms', 'due_ms')
    redis.call('ZADD', KEYS[1], meta[2], phone)
    redis.call('ZADD', KEYS[8], meta[1], phone)
  else
    redis.call('ZREM', KEYS[1], phone)
    redis.call('ZREM', KEYS[8], phone)
  end
  return nil
end

local until_ms = now + lease
redis.call('HSET', KEYS[5], 'token', ARGV[4], 'lease_until', until_ms, 'claimed_ms', now)
redis.call('ZADD', KEYS[1], until_ms, phone)
local info = redis.call('HMGET', KEYS[5], 'first_ms', 'due_ms')
local out = {ARGV[4], attempt, info[1], info[2], until_ms}
for _, item in ipairs(redis.call('LRANGE', KEYS[4], 0, -1)) do
  out[#out + 1] = item
end
return out
