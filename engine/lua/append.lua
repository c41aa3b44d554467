-- Append one message to a phone's pending batch, atomically.
-- KEYS: 1 pending, 2 meta, 3 claim, 4 seen, 5 due, 6 oldest, 7 stats, 8 flood, 9 held
-- ARGV: 1 phone, 2 message id, 3 message json, 4 now_ms, 5 the policy, one argument the
--       caller builds once (engine/batcher.py, `append_policy`): "quiet_ms max_wait_ms
--       max_size dedupe_ms flood_limit_per_minute(0: none) held_kept held_ttl_ms channel",
--       the wake channel last (it may hold spaces).
-- Returns {queued (1|0), pending count, due_ms, held (1|0)}.
-- Every call counts (this runs once per inbound message): fields of the meta hash (the
-- arrival counter too) are read with one HMGET and written with one HSET, and ZADD NX is
-- the dedupe test.
local phone, msg_id, now = ARGV[1], ARGV[2], tonumber(ARGV[4])
local quiet_ms, max_wait_ms, max_size, dedupe_ms, limit, held_kept, held_ttl_ms, channel =
  string.match(ARGV[5], '^(%-?%d+) (%-?%d+) (%-?%d+) (%-?%d+) (%-?%d+) (%-?%d+) (%-?%d+) (.*)$')
dedupe_ms = tonumber(dedupe_ms)

-- Dedupe by message id for dedupe_ms (gateways and Meta deliver at least once).
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - dedupe_ms)
if redis.call('ZADD', KEYS[4], 'NX', now, msg_id) == 0 then
  return {0, redis.call('LLEN', KEYS[1]), tonumber(redis.call('HGET', KEYS[2], 'due_ms') or '0'), 0}
end
redis.call('PEXPIRE', KEYS[4], dedupe_ms)

-- The arrival counter is read with the other fields and written with them (one call
-- fewer than HINCRBY); the hash's expiry is set after that write, which creates it.
local meta = redis.call('HMGET', KEYS[2], 'seq', 'first_ms', 'backlog', 'flood_since')
local seq = tonumber(meta[1] or '0') + 1
local entry_head = '{"seq":' .. seq .. ',"arrival_ms":' .. now
-- `inbound_ms`: the client's last message; the Cloud API's 24-hour customer service
-- window runs from it.
local fields = {'seq', seq, 'inbound_ms', now}

-- Flood limit: the phone's arrivals of the last minute, this one included. Past the
-- limit a flood episode starts: its first message gets one notice in its turn (marked
-- "flood"), the following ones are held (kept, not answered). The episode ends with
-- the first message that finds the last minute under the limit again.
limit = tonumber(limit)
local flood = false
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', now - 60000)
  redis.call('ZADD', KEYS[8], now, seq)
  redis.call('PEXPIRE', KEYS[8], 60000)
  if redis.call('ZCARD', KEYS[8]) <= limit then
    if meta[4] then
      redis.call('HDEL', KEYS[2], 'flood_since')
    end
  elseif meta[4] then
    redis.call('HSET', KEYS[2], unpack(fields))
    redis.call('PEXPIRE', KEYS[2], dedupe_ms)
    redis.call('RPUSH', KEYS[9], entry_head .. ',"msg":' .. ARGV[3] .. '}')
    redis.call('LTRIM', KEYS[9], -tonumber(held_kept), -1)
    redis.call('PEXPIRE', KEYS[9], tonumber(held_ttl_ms))
    redis.call('HINCRBY', KEYS[7], 'held_messages', 1)
    return {1, redis.call('LLEN', KEYS[1]), tonumber(redis.call('HGET', KEYS[2], 'due_ms') or '0'), 1}
  else
    fields[#fields + 1] = 'flood_since'
    fields[#fields + 1] = now
    redis.call('HINCRBY', KEYS[7], 'flood_episodes', 1)
    flood = true
  end
end

local count = redis.call('RPUSH', KEYS[1], entry_head .. (flood and ',"flood":1' or '') .. ',"msg":' .. ARGV[3] .. '}')

local first = tonumber(meta[2] or '0')
if count == 1 or first == 0 then
  first = now
  fields[#fields + 1] = 'first_ms'
  fields[#fields + 1] = now
end
-- due = min(last + quiet, first + max_wait); at once when the size cap is reached, or
-- when these messages are the rest of a backlog longer than one batch (claim.lua).
local due = math.min(now + tonumber(quiet_ms), first + tonumber(max_wait_ms))
if count >= tonumber(max_size) or meta[3] then
  due = now
end
fields[#fields + 1] = 'last_ms'
fields[#fields + 1] = now
fields[#fields + 1] = 'due_ms'
fields[#fields + 1] = due
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('PEXPIRE', KEYS[2], dedupe_ms)

-- While a batch of this phone is claimed, the due index holds the claim's lease; the ack
-- puts this pending batch into the index when the turn ends (one turn per phone at a time).
if redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('ZADD', KEYS[5], due, phone)
end
redis.call('ZADD', KEYS[6], 'NX', first, phone)
redis.call('HINCRBY', KEYS[7], 'pending_messages', 1)
-- A hint to sleeping workers: a new batch, or one made due now by the size cap.
if count == 1 or due == now then
  redis.call('PUBLISH', channel, due)
end
return {1, count, due, 0}
