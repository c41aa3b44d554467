-- The bot has the chat again: the pause ends now and nobody waits for a person.
-- KEYS: 1 the phone's takeover hash, 2 the bucket's paused set, 3 its waiting set
-- ARGV: 1 phone, 2 now_ms
-- Returns 1 when a pause was in force, else 0. What the hand-off notices sent stays, so a
-- retried hand-off turn does not pause the chat again.
local now = tonumber(ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = tonumber(redis.call('HGET', KEYS[1], 'until_ms') or '0')
redis.call('HSET', KEYS[1], 'until_ms', 0)
redis.call('HDEL', KEYS[1], 'waiting')
if current > now then return 1 end
return 0
