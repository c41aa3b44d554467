-- A person takes a client's chat: the bot keeps quiet until `until_ms` (issue 17).
-- KEYS: 1 the phone's takeover hash, 2 the bucket's paused set, 3 its waiting set (the
--       hand-off queue), 4 its hand-off log, 5 its stats hash
-- ARGV: 1 phone, 2 now_ms, 3 until_ms, 4 "set" (exactly until_ms: an operator's word) or
--       "extend" (at least until_ms), 5 reason, 6 waiting: "1" the chat now waits for a
--       person, "0" a person answered it, "" unchanged, 7 hand-off id ("" none),
--       8 how long the log keeps an entry (ms), 9 how long the hash outlives the pause (ms)
-- Returns {started (1: no pause was in force), until_ms, applied (0: this hand-off id was
-- applied before, nothing changed)}.
local phone, now = ARGV[1], tonumber(ARGV[2])
if ARGV[7] ~= '' and redis.call('HGET', KEYS[1], 'handoff_id') == ARGV[7] then
  return {0, tonumber(redis.call('HGET', KEYS[1], 'until_ms') or '0'), 0}
end
local current = tonumber(redis.call('HGET', KEYS[1], 'until_ms') or '0')
local active = current > now
local until_ms = tonumber(ARGV[3])
if ARGV[4] == 'extend' and active and current > until_ms then until_ms = current end
redis.call('HSET', KEYS[1], 'until_ms', until_ms)
if not active then
  -- A new pause: a hand-off left waiting by an earlier, ended pause is over too.
  redis.call('HSET', KEYS[1], 'since_ms', now, 'reason', ARGV[5])
  redis.call('HDEL', KEYS[1], 'waiting')
  redis.call('ZREM', KEYS[3], phone)
  redis.call('ZADD', KEYS[4], now, phone .. '|' .. now .. '|' .. ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[8]))
  redis.call('HINCRBY', KEYS[5], 'handoffs:' .. ARGV[5], 1)
end
if ARGV[6] == '1' then
  redis.call('HSET', KEYS[1], 'waiting', ARGV[5])
  redis.call('ZADD', KEYS[3], now, phone)
elseif ARGV[6] == '0' then
  redis.call('HDEL', KEYS[1], 'waiting')
  redis.call('ZREM', KEYS[3], phone)
end
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[1], 'handoff_id', ARGV[7])
  redis.call('HDEL', KEYS[1], 'notified:chat', 'notified:hook')
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], until_ms, phone)
-- Relative: the caller's clock may be a virtual one, Redis's is not.
redis.call('PEXPIRE', KEYS[1], math.max(until_ms - now, 0) + tonumber(ARGV[9]))
return {active and 0 or 1, until_ms, 1}
