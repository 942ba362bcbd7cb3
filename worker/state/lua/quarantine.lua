-- quarantine: put one broker message that eventwire could not decode or route on the DLQ, at most
-- once, and count it by reason.
--
-- KEYS[1]  dlq      the dead-letter stream (EVENTWIRE_DLQ_STREAM)
-- KEYS[2]  counter  <prefix>rejected_messages   hash: reason -> messages dead-lettered
-- KEYS[3]  (optional) marker  <prefix>quarantined:<sha256(delivery tag)>, set once the entry is
--          written: a message that comes back (the worker died between this script and the ack)
--          is not written twice. Absent for messages that never reached the unacked set.
-- ARGV[1]  dlq MAXLEN (approximate trim)
-- ARGV[2]  reason (the counter's field)
-- ARGV[3]  marker TTL in seconds
-- ARGV[4 ..]  the DLQ entry as field, value pairs
--
-- Returns 1 when the entry was written, 0 when the marker showed it was written before.
if #KEYS == 3 then
  if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[3]) then
    return 0
  end
end
local fields = {}
for i = 4, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
return 1
