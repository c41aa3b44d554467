-- Set a visit's reminders: keep those of the same visit time (their status stands, so a
-- repeated call changes nothing), replace the rest (the visit moved), drop entries of
-- visits that ended long ago.
-- KEYS: 1 the phone's reminders hash, 2 the bucket's reminders due set
-- ARGV: 1 phone, 2 record_id, 3 visit_ms, 4 visit json, 5 now_ms, 6 keep_ms,
--       7.. pairs (kind, at_ms)
-- Hash fields: "<record_id>|<kind>" -> entry json; "v|<record_id>" -> the visit's json.
-- Due set member: "<phone>|<record_id>|<kind>".
-- Returns {added, kept, removed}.
local phone, record = ARGV[1], ARGV[2]
local visit_ms, now, keep = tonumber(ARGV[3]), tonumber(ARGV[5]), tonumber(ARGV[6])
local prefix = record .. '|'
local wanted = {}
for i = 7, #ARGV, 2 do wanted[ARGV[i]] = tonumber(ARGV[i + 1]) end

local added, kept, removed = 0, 0, 0
local latest = visit_ms
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local field, raw = all[i], all[i + 1]
  if string.sub(field, 1, 2) ~= 'v|' then
    local e = cjson.decode(raw)
    local mine = string.sub(field, 1, #prefix) == prefix
    -- Same visit time: a reminder with a history (sent, answered...) stays as it is, even
    -- when its moment is now past; a scheduled one follows the new plan.
    if mine and e.visit_ms == visit_ms and (wanted[e.kind] or e.status ~= 'scheduled') then
      if e.status == 'scheduled' and e.at_ms ~= wanted[e.kind] then
        e.at_ms = wanted[e.kind]
        redis.call('HSET', KEYS[1], field, cjson.encode(e))
        redis.call('ZADD', KEYS[2], e.at_ms, phone .. '|' .. field)
      end
      wanted[e.kind] = nil
      kept = kept + 1
    elseif mine or e.visit_ms + keep < now then
      -- Entries of one record share its visit time: a long-past one goes with its details.
      redis.call('HDEL', KEYS[1], field)
      redis.call('ZREM', KEYS[2], phone .. '|' .. field)
      if mine then removed = removed + 1 else redis.call('HDEL', KEYS[1], 'v|' .. e.record_id) end
    elseif e.visit_ms > latest then
      latest = e.visit_ms
    end
  end
end
for kind, at in pairs(wanted) do
  local e = {record_id = tonumber(record), kind = kind, at_ms = at, visit_ms = visit_ms,
             status = 'scheduled', attempts = 0, token = '', sent_ms = 0, deadline_ms = 0,
             answered_ms = 0, asked = false}
  redis.call('HSET', KEYS[1], prefix .. kind, cjson.encode(e))
  redis.call('ZADD', KEYS[2], at, phone .. '|' .. prefix .. kind)
  added = added + 1
end
-- The visit's details, while any of its reminders remains.
if kept + added > 0 then
  redis.call('HSET', KEYS[1], 'v|' .. record, ARGV[4])
else
  redis.call('HDEL', KEYS[1], 'v|' .. record)
end
-- Kept until `keep` after the latest visit it holds.
if redis.call('EXISTS', KEYS[1]) == 1 then
  local ttl = latest + keep - now
  if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
end
return {added, kept, removed}
