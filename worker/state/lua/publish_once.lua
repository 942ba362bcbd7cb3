-- publish_once: publish one submission's outcome at most once, in one atomic step: register the
-- article on its events, append its envelopes (and DLQ entry), record the article's status and
-- the event records, strike it off the ledger.
--
-- Registering here, not before, is what makes publication whole: an event exists in the registry
-- only together with the envelope that created it, so no consumer can read event.mentioned for an
-- event whose event.created was never published (a crash, a dead letter or an encoding error
-- between the two used to allow it), and event.created is published exactly by the first article
-- whose outcome is published.
--
-- The lookup state is written here too, so it cannot disagree with the stream:
--   the article status  <prefix>st:<hex32>  hash: s = processed | duplicate | rejected (the type of
--       the first envelope, the outcome), x = the outcome's entry id on the results stream,
--       e = the ids of the events the article was registered on, space-separated; TTL the window.
--       Written when ARGV[9] = 1 (the outcome names a valid article id); with ARGV[9] = 2 (the same
--       id submitted again: a duplicate of itself) only when no outcome is recorded yet, so the
--       article keeps its own outcome and events.
--   the event record: field r of the event key holds the event.created envelope as published
--       (mentions at creation), and each a<digest> field holds the mentioning article's id.
--
-- KEYS[1]  marker   <prefix>published:<sha256(submission id)>   set when the outcome is published
-- KEYS[2]  results  the results stream (EVENTWIRE_RESULTS_STREAM)
-- KEYS[3]  dlq      the dead-letter stream (EVENTWIRE_DLQ_STREAM)
-- KEYS[4]  status   <prefix>st:<hex32>  the article status (written with ARGV[9] = 1 or 2 only)
-- KEYS[5]  ledger index    <prefix>{ledger}:index    (with ARGV[5] = 1 only)
-- KEYS[6]  ledger payload  <prefix>{ledger}:payload  (with ARGV[5] = 1 only)
-- KEYS[...]  one event key per pending event, <prefix>ev:<hex32>, in ARGV order; layout at the
--          top of registry_register.lua, whose steps the registration below repeats exactly
--
-- ARGV[1]  submission id (a ledger member, never part of a key name)
-- ARGV[2]  marker TTL in seconds
-- ARGV[3]  results MAXLEN (approximate trim)
-- ARGV[4]  dlq MAXLEN (approximate trim)
-- ARGV[5]  1 when the ledger keys are given, else 0
-- ARGV[6]  event-registry window in milliseconds
-- ARGV[7]  number of envelopes N;  ARGV[8]  number of pending events E
-- ARGV[9]  1: record the article status from the first envelope; 2: the same, unless the status
--          already has an outcome; 0: record none
-- ARGV[10 .. 9+3N]          per envelope: type, subject, envelope JSON
-- ARGV[10+3N .. 9+3N+7E]    per pending event: mode ("x" extraction: register, created or
--                           mentioned; "d" duplicate: register and mention only if the event
--                           exists), subject (event id), article id, article digest (12 raw bytes),
--                           outlet digest (12 raw bytes or ""), the event.created envelope JSON
--                           without its end and the event.mentioned one (each ends at
--                           '"mentions":' -- the script appends {"articles":n,"outlets":m}}} )
-- ARGV[10+3N+7E ..]         DLQ entry as field, value pairs (may be empty)
--
-- Returns the number of envelopes added, or -1 when the marker existed (a redelivery: nothing new,
-- nothing registered again). On Redis Cluster all keys must share one slot: give the key prefix
-- and the stream names one hash tag.
local with_ledger = ARGV[5] == '1'
if with_ledger then
  redis.call('ZREM', KEYS[5], ARGV[1])
  redis.call('HDEL', KEYS[6], ARGV[1])
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
local window = ARGV[6]
local n = tonumber(ARGV[7])
local e = tonumber(ARGV[8])
local added = 0
local function append(kind, subject, envelope)
  added = added + 1
  return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
                    'type', kind, 'subject', subject, 'envelope', envelope)
end
local outcome_id = nil
for i = 0, n - 1 do
  local base = 10 + 3 * i
  local entry_id = append(ARGV[base], ARGV[base + 1], ARGV[base + 2])
  if i == 0 then outcome_id = entry_id end
end
local first_key = with_ledger and 7 or 5
local events_at = 10 + 3 * n
local registered = {}
for i = 0, e - 1 do
  local a = events_at + 7 * i
  local key = KEYS[first_key + i]
  local mode, subject, article = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  if mode == 'x' or redis.call('EXISTS', key) == 1 then
    -- registry_register.lua, step for step
    if redis.call('HSETNX', key, 'a' .. ARGV[a + 3], article) == 1 then
      redis.call('HSETNX', key, 'c', article)
      redis.call('HINCRBY', key, 'n', 1)
      if ARGV[a + 4] ~= '' and redis.call('HSETNX', key, 'o' .. ARGV[a + 4], '1') == 1 then
        redis.call('HINCRBY', key, 'm', 1)
      end
    end
    redis.call('PEXPIRE', key, window)
    local state = redis.call('HMGET', key, 'c', 'n', 'm')
    local mentions = '{"articles":' .. state[2] .. ',"outlets":' .. (state[3] or '0') .. '}}}'
    registered[#registered + 1] = subject
    if mode == 'x' and state[1] == article then
      local record = ARGV[a + 5] .. mentions
      append('event.created', subject, record)
      redis.call('HSETNX', key, 'r', record)
    else
      append('event.mentioned', subject, ARGV[a + 6] .. mentions)
    end
  end
end
local dlq_start = events_at + 7 * e
if #ARGV >= dlq_start then
  local fields = {}
  for i = dlq_start, #ARGV do
    fields[#fields + 1] = ARGV[i]
  end
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', unpack(fields))
end
if outcome_id and (ARGV[9] == '1' or (ARGV[9] == '2' and redis.call('HEXISTS', KEYS[4], 'x') == 0)) then
  local status = KEYS[4]
  redis.call('DEL', status)
  redis.call('HSET', status, 's', string.sub(ARGV[10], 9), 'x', outcome_id,
             'e', table.concat(registered, ' '))
  redis.call('PEXPIRE', status, window)
end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[2])
return added
