-- Index a saved conversation for the operator console (engine/activity.py).
-- KEYS: 1 activity zset (bucket), 2 timeline list (phone), 3 bookings zset (bucket)
-- ARGV: 1 phone, 2 now_ms, 3 keep_ms, 4 ttl_s, 5 timeline cap,
--       6 turn id ('' when the save added no turn), 7 turn json,
--       8 booking member ('' when the turn booked nothing), 9 bookings keep_ms
-- Returns 1 when the turn was appended, 0 otherwise (none, or recorded already).
local phone, now = ARGV[1], tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, phone)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
if ARGV[6] == '' then return 0 end
-- Only turns go into this list, so its tail is the last turn recorded: a save that did not
-- add a turn (a reset, a retried command) finds its turn there and records nothing.
local last = redis.call('LINDEX', KEYS[2], -1)
if last and cjson.decode(last).id == ARGV[6] then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[7])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[4])
if ARGV[8] ~= '' then
  redis.call('ZADD', KEYS[3], 'NX', now, ARGV[8])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[9]))
end
return 1
