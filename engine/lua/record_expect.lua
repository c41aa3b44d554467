-- The bot is about to change a record itself: remember the fingerprint the change will
-- have, so its webhooks are recognised as ours (they may come before YClients answers us).
-- KEYS: 1 the record's hash   ARGV: 1 fingerprint, 2 until_ms, 3 ttl_ms
redis.call('HSET', KEYS[1], 'expect|' .. ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
