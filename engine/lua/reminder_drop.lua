-- Drop every reminder of one visit (deleted or cancelled), sent or not.
-- KEYS: 1 the phone's reminders hash, 2 the bucket's reminders due set
-- ARGV: 1 phone, 2 record_id
-- Returns how many reminders were dropped.
local prefix = ARGV[2] .. '|'
local n = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(field, 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[1], field)
    redis.call('ZREM', KEYS[2], ARGV[1] .. '|' .. field)
    n = n + 1
  end
end
redis.call('HDEL', KEYS[1], 'v|' .. ARGV[2])
return n
