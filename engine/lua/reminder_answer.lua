-- The client answered a visit's reminder: every reminder of it that awaits an answer (or
-- whose wait is over: a late answer still counts) takes the outcome ("confirmed" or
-- "declined") and leaves the due set (no "unanswered" then).
-- KEYS: 1 the phone's reminders hash, 2 the bucket's reminders due set
-- ARGV: 1 phone, 2 record_id, 3 outcome, 4 now_ms
-- Returns how many reminders took the answer.
local prefix = ARGV[2] .. '|'
local n = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local field = all[i]
  if string.sub(field, 1, #prefix) == prefix then
    local e = cjson.decode(all[i + 1])
    if e.status == 'sent' or e.status == 'expiring' or e.status == 'unanswered' then
      e.status, e.answered_ms, e.token = ARGV[3], tonumber(ARGV[4]), ''
      redis.call('HSET', KEYS[1], field, cjson.encode(e))
      redis.call('ZREM', KEYS[2], ARGV[1] .. '|' .. field)
      n = n + 1
    end
  end
end
return n
