-- Claim the due batches of up to N phones of one bucket in one call (issue 15: one round
-- trip claims many). Per phone: move pending -> inflight and take a lease. A batch whose
-- lease ran out (its worker died) is claimed again as it was. A batch holds at most
-- max_size messages: of a longer pending list the first max_size (in arrival order) are
-- claimed, the rest stays pending as the next batch, due at once when this turn ends
-- (interface: "a longer backlog becomes several batches, in order").
-- Every key is in the bucket's hash slot (engine/keys.py), so one call is Cluster-safe.
-- With each claimed batch the script returns what its turn reads first, read after the
-- claim is taken (so, like a load after the lock, never stale against another turn):
-- the conversation's state, until when a person has the chat, the phone's reminders.
-- KEYS: 1 due, 2 dead, 3 stats, 4 oldest, then per phone i (0-based) at 5 + 7i:
--       pending, meta, inflight, claim, state, takeover, reminders
-- ARGV: 1 now_ms, 2 lease_ms, 3 max_attempts, 4 max_size, 5 dead letters kept per bucket,
--       then per phone at 6 + 2i: phone, token
-- Returns one answer per phone, in order: false when nothing was claimed, else
--   {token, attempt, first_ms, due_ms, lease_until, {message...},
--    {state version, state doc}, takeover until_ms, {reminder field, value, ...}}.
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
local max_attempts, max_size, dead_kept = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local DUE, DEAD, STATS, OLDEST = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

local function claim(phone, token, PENDING, META, INFLIGHT, CLAIM)
  local score = redis.call('ZSCORE', DUE, phone)
  if not score or tonumber(score) > now then return nil end

  if redis.call('EXISTS', INFLIGHT) == 0 then
    if redis.call('LLEN', PENDING) == 0 then
      -- Nothing left to do for this phone (e.g. its pending batch was deleted).
      redis.call('ZREM', DUE, phone)
      redis.call('ZREM', OLDEST, phone)
      redis.call('DEL', CLAIM)
      return nil
    end
    local meta = redis.call('HMGET', META, 'first_ms', 'due_ms')
    if redis.call('LLEN', PENDING) <= max_size then
      redis.call('RENAME', PENDING, INFLIGHT)
      redis.call('HDEL', META, 'first_ms', 'last_ms', 'due_ms', 'backlog')
    else
      for _, item in ipairs(redis.call('LRANGE', PENDING, 0, max_size - 1)) do
        redis.call('RPUSH', INFLIGHT, item)
      end
      redis.call('LTRIM', PENDING, max_size, -1)
      local rest_first = string.match(redis.call('LINDEX', PENDING, 0), '"arrival_ms":(%d+)')
      redis.call('HSET', META, 'first_ms', rest_first or now, 'due_ms', now, 'backlog', 1)
    end
    redis.call('DEL', CLAIM)
    redis.call('HSET', CLAIM, 'first_ms', meta[1] or now, 'due_ms', meta[2] or now, 'attempts', 0)
  end

  local attempt = redis.call('HINCRBY', CLAIM, 'attempts', 1)
  if attempt > max_attempts then
    -- A batch that kept killing its worker: keep it for the engineer, move on.
    local n = redis.call('LLEN', INFLIGHT)
    local items = redis.call('LRANGE', INFLIGHT, 0, -1)
    redis.call('RPUSH', DEAD, cjson.encode({phone = phone, failed_ms = now, messages = items}))
    -- Bounded: the newest letters are kept (the oldest are what the engineer has seen).
    redis.call('LTRIM', DEAD, -dead_kept, -1)
    redis.call('DEL', INFLIGHT, CLAIM)
    redis.call('HINCRBY', STATS, 'failed_batches', 1)
    redis.call('HINCRBY', STATS, 'pending_messages', -n)
    if redis.call('LLEN', PENDING) > 0 then
      local meta = redis.call('HMGET', META, 'first_ms', 'due_ms')
      redis.call('ZADD', DUE, meta[2], phone)
      redis.call('ZADD', OLDEST, meta[1], phone)
    else
      redis.call('ZREM', DUE, phone)
      redis.call('ZREM', OLDEST, phone)
    end
    return nil
  end

  local until_ms = now + lease
  redis.call('HSET', CLAIM, 'token', token, 'lease_until', until_ms, 'claimed_ms', now)
  redis.call('ZADD', DUE, until_ms, phone)
  local info = redis.call('HMGET', CLAIM, 'first_ms', 'due_ms')
  return {token, attempt, info[1], info[2], until_ms, redis.call('LRANGE', INFLIGHT, 0, -1)}
end

local answers = {}
for i = 0, (#ARGV - 5) / 2 - 1 do
  local k = 5 + 7 * i
  local out = claim(ARGV[6 + 2 * i], ARGV[7 + 2 * i], KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3])
  if out then
    out[7] = redis.call('HMGET', KEYS[k + 4], 'version', 'doc')
    out[8] = redis.call('HGET', KEYS[k + 5], 'until_ms') or '0'
    out[9] = redis.call('HGETALL', KEYS[k + 6])
    answers[#answers + 1] = out
  else
    answers[#answers + 1] = false
  end
end
return answers
