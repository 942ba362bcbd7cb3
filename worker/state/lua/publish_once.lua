-- publish_once: publish one submission's outcome at most once, in one atomic step: register the
-- article on its events, append its envelopes (and DLQ entry), strike it off the ledger.
--
-- Registering here, not before, is what makes publication whole: an event exists in the registry
-- only together with the envelope that created it, so no consumer can read event.mentioned for an
-- event whose event.created was never published (a crash, a dead letter or an encoding error
-- between the two used to allow it), and event.created is published exactly by the first article
-- whose outcome is published.
--
-- KEYS[1]  marker   <prefix>published:<sha256(submission id)>   set when the outcome is published
-- KEYS[2]  results  the results stream (EVENTWIRE_RESULTS_STREAM)
-- KEYS[3]  dlq      the dead-letter stream (EVENTWIRE_DLQ_STREAM)
-- KEYS[4]  ledger index    <prefix>{ledger}:index    (with ARGV[5] = 1 only)
-- KEYS[5]  ledger payload  <prefix>{ledger}:payload  (with ARGV[5] = 1 only)
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
-- ARGV[9 .. 8+3N]           per envelope: type, subject, envelope JSON
-- ARGV[9+3N .. 8+3N+7E]     per pending event: mode ("x" extraction: register, created or
--                           mentioned; "d" duplicate: register and mention only if the event
--                           exists), subject (event id), article id, article digest (12 raw bytes),
--                           outlet digest (12 raw bytes or ""), the event.created envelope JSON
--                           without its end and the event.mentioned one (each ends at
--                           '"mentions":' -- the script appends {"articles":n,"outlets":m}}} )
-- ARGV[9+3N+7E ..]          DLQ entry as field, value pairs (may be empty)
--
-- Returns the number of envelopes added, or -1 when the marker existed (a redelivery: nothing new,
-- nothing registered again). On Redis Cluster all keys must share one slot: give the key prefix
-- and the stream names one hash tag.
local with_ledger = ARGV[5] == '1'
if with_ledger then
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('HDEL', KEYS[5], ARGV[1])
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
local window = ARGV[6]
local n = tonumber(ARGV[7])
local e = tonumber(ARGV[8])
local added = 0
local function append(kind, subject, envelope)
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
             'type', kind, 'subject', subject, 'envelope', envelope)
  added = added + 1
end
for i = 0, n - 1 do
  local base = 9 + 3 * i
  append(ARGV[base], ARGV[base + 1], ARGV[base + 2])
end
local first_key = with_ledger and 6 or 4
local events_at = 9 + 3 * n
for i = 0, e - 1 do
  local a = events_at + 7 * i
  local key = KEYS[first_key + i]
  local mode, subject, article = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  if mode == 'x' or redis.call('EXISTS', key) == 1 then
    -- registry_register.lua, step for step
    if redis.call('HSETNX', key, 'a' .. ARGV[a + 3], '1') == 1 then
      redis.call('HSETNX', key, 'c', article)
      redis.call('HINCRBY', key, 'n', 1)
      if ARGV[a + 4] ~= '' and redis.call('HSETNX', key, 'o' .. ARGV[a + 4], '1') == 1 then
        redis.call('HINCRBY', key, 'm', 1)
      end
    end
    redis.call('PEXPIRE', key, window)
    local state = redis.call('HMGET', key, 'c', 'n', 'm')
    local mentions = '{"articles":' .. state[2] .. ',"outlets":' .. (state[3] or '0') .. '}}}'
    if mode == 'x' and state[1] == article then
      append('event.created', subject, ARGV[a + 5] .. mentions)
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
redis.call('SET', KEYS[1], '1', 'EX', ARGV[2])
return added
