-- May this outbox entry go out now? One round trip before each reply (issue 15) answers
-- what took three: the turn still holds its claim (fencing), no person took the chat over
-- since the reply was written (issue 17; the hand-off turn's own replies still go), and,
-- when it may go, the text is noted for the gateway's echo (engine/echoes.py) before the
-- send, as the echo may come back before the gateway answers.
-- KEYS: 1 claim hash, 2 takeover hash, 3 sent hash (one phone: one slot)
-- ARGV: 1 claim token ('' = no fence), 2 now_ms ('' = no takeover check), 3 entry id,
--       4 text fingerprint ('' = not noted here), 5 seconds a note is kept
-- Returns 1 send it, 0 a person has the chat: hold it, -1 the claim is not ours.
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return -1 end
if ARGV[2] ~= '' then
  local until_ms = tonumber(redis.call('HGET', KEYS[2], 'until_ms') or '0')
  if until_ms > tonumber(ARGV[2]) then
    local handoff = redis.call('HGET', KEYS[2], 'handoff_id')
    if not handoff or string.sub(ARGV[3], 1, #handoff + 1) ~= handoff .. ':' then return 0 end
  end
end
if ARGV[4] ~= '' then
  redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
  redis.call('EXPIRE', KEYS[3], ARGV[5])
end
return 1
