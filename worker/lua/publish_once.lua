-- publish_once: append one submission's envelopes (and DLQ entry) to the streams, at most once.
--
-- KEYS[1]  marker   <prefix>published:<sha256(submission id)>   set when the outcome is published
-- KEYS[2]  results  the results stream (EVENTWIRE_RESULTS_STREAM)
-- KEYS[3]  dlq      the dead-letter stream (EVENTWIRE_DLQ_STREAM)
-- ARGV[1]  marker TTL in seconds
-- ARGV[2]  results MAXLEN (approximate trim)
-- ARGV[3]  dlq MAXLEN (approximate trim)
-- ARGV[4]  number of envelopes N
-- ARGV[5 .. 4+3N]        per envelope: type, subject, envelope JSON
-- ARGV[5+3N ..]          DLQ entry as field, value pairs (may be empty)
--
-- Returns the number of envelopes added, or -1 when the marker existed (a redelivery: nothing new).
-- The check and the appends run as one script, so a crash can never publish half an outcome or
-- publish it twice. On Redis Cluster the three keys must share a hash tag, e.g. a prefix and stream
-- names containing "{eventwire}".
if redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
local n = tonumber(ARGV[4])
for i = 0, n - 1 do
  local base = 5 + 3 * i
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*',
             'type', ARGV[base], 'subject', ARGV[base + 1], 'envelope', ARGV[base + 2])
end
local dlq_start = 5 + 3 * n
if #ARGV >= dlq_start then
  local fields = {}
  for i = dlq_start, #ARGV do
    fields[#fields + 1] = ARGV[i]
  end
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', unpack(fields))
end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return n
