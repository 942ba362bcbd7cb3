-- publish_once: append one submission's envelopes (and DLQ entry) to the streams, at most once,
-- and strike the submission off the ledger when the ledger keys are given.
--
-- KEYS[1]  marker   <prefix>published:<sha256(submission id)>   set when the outcome is published
-- KEYS[2]  results  the results stream (EVENTWIRE_RESULTS_STREAM)
-- KEYS[3]  dlq      the dead-letter stream (EVENTWIRE_DLQ_STREAM)
-- KEYS[4]  (optional, with KEYS[5]) ledger index    <prefix>{ledger}:index    (sorted set of unpublished submission ids)
-- KEYS[5]  ledger payload  <prefix>{ledger}:payload  (hash: submission id -> payload)
-- ARGV[1]  submission id (a ledger member, never part of a key name)
-- ARGV[2]  marker TTL in seconds
-- ARGV[3]  results MAXLEN (approximate trim)
-- ARGV[4]  dlq MAXLEN (approximate trim)
-- ARGV[5]  number of envelopes N
-- ARGV[6 .. 5+3N]        per envelope: type, subject, envelope JSON
-- ARGV[6+3N ..]          DLQ entry as field, value pairs (may be empty)
--
-- Returns the number of envelopes added, or -1 when the marker existed (a redelivery: nothing new).
-- The check and the appends run as one script, so a crash can never publish half an outcome or
-- publish it twice. On Redis Cluster all keys must share one hash tag (prefix and stream names).
if #KEYS == 5 then
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('HDEL', KEYS[5], ARGV[1])
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
local n = tonumber(ARGV[5])
for i = 0, n - 1 do
  local base = 6 + 3 * i
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
             'type', ARGV[base], 'subject', ARGV[base + 1], 'envelope', ARGV[base + 2])
end
local dlq_start = 6 + 3 * n
if #ARGV >= dlq_start then
  local fields = {}
  for i = dlq_start, #ARGV do
    fields[#fields + 1] = ARGV[i]
  end
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', unpack(fields))
end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[2])
return n
