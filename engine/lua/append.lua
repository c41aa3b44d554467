-- Append one message to a phone's pending batch, atomically.
-- KEYS: 1 pending, 2 meta, 3 claim, 4 seen, 5 due, 6 oldest, 7 stats, 8 flood, 9 held
-- ARGV: 1 phone, 2 message id, 3 message json, 4 now_ms, 5 quiet_ms, 6 max_wait_ms,
--       7 max_size, 8 dedupe_ms, 9 wake channel, 10 flood limit per minute (0: none),
--       11 held messages kept, 12 held ttl ms
-- Returns {queued (1|0), pending count, due_ms, held (1|0)}.
local phone, msg_id, now = ARGV[1], ARGV[2], tonumber(ARGV[4])
local dedupe_ms = tonumber(ARGV[8])

-- Dedupe by message id for dedupe_ms (gateways and Meta deliver at least once).
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - dedupe_ms)
if redis.call('ZSCORE', KEYS[4], msg_id) then
  return {0, redis.call('LLEN', KEYS[1]), tonumber(redis.call('HGET', KEYS[2], 'due_ms') or '0'), 0}
end
redis.call('ZADD', KEYS[4], now, msg_id)
redis.call('PEXPIRE', KEYS[4], dedupe_ms)
-- The client's last message: the Cloud API's 24-hour customer service window runs from it.
redis.call('HSET', KEYS[2], 'inbound_ms', now)

local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
redis.call('PEXPIRE', KEYS[2], dedupe_ms)
local entry_head = '{"seq":' .. seq .. ',"arrival_ms":' .. now

-- Flood limit: the phone's arrivals of the last minute, this one included. Past the
-- limit a flood episode starts: its first message gets one notice in its turn (marked
-- "flood"), the following ones are held (kept, not answered). The episode ends with
-- the first message that finds the last minute under the limit again.
local limit = tonumber(ARGV[10])
local flood = false
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', now - 60000)
  redis.call('ZADD', KEYS[8], now, seq)
  redis.call('PEXPIRE', KEYS[8], 60000)
  if redis.call('ZCARD', KEYS[8]) <= limit then
    redis.call('HDEL', KEYS[2], 'flood_since')
  elseif redis.call('HEXISTS', KEYS[2], 'flood_since') == 1 then
    redis.call('RPUSH', KEYS[9], entry_head .. ',"msg":' .. ARGV[3] .. '}')
    redis.call('LTRIM', KEYS[9], -tonumber(ARGV[11]), -1)
    redis.call('PEXPIRE', KEYS[9], tonumber(ARGV[12]))
    redis.call('HINCRBY', KEYS[7], 'held_messages', 1)
    return {1, redis.call('LLEN', KEYS[1]), tonumber(redis.call('HGET', KEYS[2], 'due_ms') or '0'), 1}
  else
    redis.call('HSET', KEYS[2], 'flood_since', now)
    redis.call('HINCRBY', KEYS[7], 'flood_episodes', 1)
    flood = true
  end
end

redis.call('RPUSH', KEYS[1], entry_head .. (flood and ',"flood":1' or '') .. ',"msg":' .. ARGV[3] .. '}')
local count = redis.call('LLEN', KEYS[1])

local first = tonumber(redis.call('HGET', KEYS[2], 'first_ms') or '0')
if count == 1 or first == 0 then
  first = now
  redis.call('HSET', KEYS[2], 'first_ms', now)
end
-- due = min(last + quiet, first + max_wait); at once when the size cap is reached, or
-- when these messages are the rest of a backlog longer than one batch (claim.lua).
local due = math.min(now + tonumber(ARGV[5]), first + tonumber(ARGV[6]))
if count >= tonumber(ARGV[7]) or redis.call('HEXISTS', KEYS[2], 'backlog') == 1 then
  due = now
end
redis.call('HSET', KEYS[2], 'last_ms', now, 'due_ms', due)

-- While a batch of this phone is claimed, the due index holds the claim's lease; the ack
-- puts this pending batch into the index when the turn ends (one turn per phone at a time).
if redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('ZADD', KEYS[5], due, phone)
end
redis.call('ZADD', KEYS[6], 'NX', first, phone)
redis.call('HINCRBY', KEYS[7], 'pending_messages', 1)
-- A hint to sleeping workers: a new batch, or one made due now by the size cap.
if count == 1 or due == now then
  redis.call('PUBLISH', ARGV[9], due)
end
return {1, count, due, 0}
