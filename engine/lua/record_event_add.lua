-- Keep one received record webhook event until a worker applies it, due at once.
-- KEYS: 1 the bucket's events hash, 2 its due set   ARGV: 1 event id, 2 event json, 3 now_ms
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
