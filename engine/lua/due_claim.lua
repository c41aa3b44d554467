-- What every claim from a due set does first and last (reminder_claim.lua and
-- record_event_claim.lua start with this text: engine/leased_queue.py joins them).

-- The job's entry (decoded) when `member` is due in `due` by `now`; nil when it is not
-- due yet, or when its entry is gone from `hash` (the member then leaves the due set).
local function due_entry(hash, due, member, field, now)
  local score = redis.call('ZSCORE', due, member)
  if not score or tonumber(score) > now then return nil end
  local raw = redis.call('HGET', hash, field)
  if not raw then
    redis.call('ZREM', due, member)
    return nil
  end
  return cjson.decode(raw)
end

-- Hold the job for `token` until `until_ms`: then it is due again, so a claimer that died
-- leaves it to the next one.
local function lease(hash, due, member, field, e, token, until_ms)
  e.token = token
  redis.call('HSET', hash, field, cjson.encode(e))
  redis.call('ZADD', due, until_ms, member)
end
