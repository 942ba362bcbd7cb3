-- dedup_forget: take back the dedup record of an article whose submission ended rejected or
-- dead-lettered, so that it is no original and a later copy is checked (and processed) afresh.
--
-- Key layout: see dedup_check_and_insert.lua. Only the record (B d:<hex16>) is deleted: every
-- index entry (URL, text, LSH bands) is confirmed against the record it names before it counts,
-- so records that name a deleted article are ignored, and are dropped once stale.
--
-- KEYS[1]  B d:<hex16> of the article
-- ARGV[1]  submission digest (12 raw bytes): only the submission that wrote the record may take
--          it back (a resubmission, or a copy racing it, never deletes another's original)
--
-- Returns 1 when the record was deleted, 0 when there was none or it belongs to another submission.
local known = redis.call('GET', KEYS[1])
if not known then
  return 0
end
if cmsgpack.unpack(known)[1] ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
