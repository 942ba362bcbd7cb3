-- dedup_check_and_insert: decide whether an article is original, an exact or a near duplicate, and
-- index it if it is original -- in one atomic step, so that of N copies racing on N workers exactly
-- one becomes the original.
--
-- Key layout (B = <key_prefix>{<key_prefix>dedup}: ; every producer string is hashed before it reaches a key)
--
--   B d:<hex16>     string, msgpack record of one checked article, <hex16> = blake2b-64 of the
--                   article id. PEXPIRE window, set once (not refreshed on touch).
--                   original : {sub, "original", "", "", "", article_id, shingles, sig8}
--                   duplicate: {sub, kind, root_id, similarity, matched_on, article_id}
--                   sig8 = the low 8 bits of each MinHash value, 1 byte per permutation.
--   B i:tables      string, the live lookup tables, newest first: "<id> <N> <until>" each, space
--                   separated. The newest takes the inserts (until 0); an older one is looked into
--                   until <until> (ms), when every record in it is stale.
--   B i:<id>        hash, one lookup table of N band buckets: one field per bucket, its value the
--                   bucket's records laid end to end, oldest first.
--                   Field "<b>" (b < N): band records of 12 bytes: a 3-byte tag, a 1-byte stamp,
--                   an 8-byte article digest (the d: key's hash). A band entry (6 bytes, one per
--                   LSH band of the signature) goes to bucket (first 3 bytes, big-endian) mod N
--                   with the last 3 as its tag; a tag shared by chance only adds a candidate, and
--                   every candidate's signature is verified.
--                   Field "e<b>" (b < N / 16): exact records of 15 bytes (6-byte tag, stamp,
--                   digest) for the canonical-URL and normalized-text entries (9 bytes: exact
--                   matches are not verified, so 6-byte tags practically never meet by chance).
--                   The stamp is the time unit (window / U, U = ARGV[3]) of the write, modulo 256.
--                   Only originals are indexed.
--   B i:tables and the newest table: PEXPIREAT now + window + one unit at every original.
--
-- Why: a check looks up 34 entries (URL, text, 32 bands) and an original writes 34. With the
-- buckets as fields of one hash that is one HMGET and one HSET, and the records are found in the
-- bucket strings by string.find. An index of one key or hash field per entry paid a Redis call
-- (and the script's conversion of its arguments and reply) per entry, and with generations of the
-- index for expiry, per entry per live generation: ~110 calls and ~400 us an original.
-- Expiry without generations: a record is stale once more than U units old (window + at most a
-- unit: every hit is confirmed against the article's record, whose TTL is exact, so the dedup
-- window is exactly the configured one). Records are appended in time order, so a write drops the
-- stale records at the front of the buckets it rewrites; every bucket is rewritten about
-- RECORDS_PER_BUCKET times a window, so stale records linger for about a window / 32. A record's
-- stamp wraps after 256 units: one unrewritten for 16 windows looks fresh again, which costs only
-- memory (it is confirmed against the article's record like any other).
-- Sizing: each field costs ~90 B (dict entry, field name, allocation) besides its records, so a
-- bucket should hold about RECORDS_PER_BUCKET records. An original sees how full its 34 buckets
-- are: past twice that on average a new table of 4N takes the inserts (at most MAX_TABLES live),
-- below an eighth -- in a table older than a window -- one of N / 4. The old table is looked into
-- until its records are stale. So a steady stream has one table, and a check is one HMGET.
--
-- Redis Cluster: every key carries the hash tag {<key_prefix>dedup}, so all of them live in one
-- slot and the script may read keys it computes (the tables, the candidates' records) -- the only
-- way an LSH lookup can be one atomic step. Trade-off: the dedup index of one key prefix sits on
-- one shard (README, "Redis layout") and throughput or memory beyond one node need a split by
-- prefix (per tenant or language), never by article. Undeclared keys are allowed on a cluster only
-- because they share the declared key's slot.
--
-- KEYS[1]  B d:<hex16> of this article (declared so a cluster client routes the call)
-- ARGV[1]  B (key base, ends with ':')
-- ARGV[2]  window in milliseconds
-- ARGV[3]  U, time units per window (stamps)
-- ARGV[4]  submission digest (12 raw bytes)
-- ARGV[5]  article id (raw bytes, stored, returned as duplicate_of)
-- ARGV[6]  article digest (8 raw bytes, the value stored in index records)
-- ARGV[7]  shingle count (distinct shingles of the text)
-- ARGV[8]  sig8
-- ARGV[9]  near-duplicate threshold (Jaccard, and containment)
-- ARGV[10] minimum size ratio (smaller / larger shingle count) for a containment match
-- ARGV[11] max candidates verified; ARGV[12] max articles kept per index entry
-- ARGV[13] URL entry or "" ; ARGV[14] text entry ; ARGV[15..] band entries
--
-- Returns {kind, duplicate_of, similarity, matched_on} ("" for none). A submission already checked
-- gets the verdict it got the first time; another submission of a known article id is an exact
-- duplicate (matched_on "id") of the article its record points to.
redis.replicate_commands()  -- TIME then writes: replicate effects (the default from Redis 5)

local MIN_BUCKETS, MAX_BUCKETS, MAX_TABLES = 16384, 4194304, 3
local RECORDS_PER_BUCKET = 32
local EXACT_BUCKET_SHARE = 16  -- exact buckets: N / 16 (2 exact entries an original against 32 bands)
local DIGEST = 8  -- bytes of an article digest
local base = ARGV[1]
local window_ms = tonumber(ARGV[2])
local units = tonumber(ARGV[3])
local sub = ARGV[4]
local article_id = ARGV[5]
local digest = ARGV[6]
local shingles = tonumber(ARGV[7])
local sig = ARGV[8]
local threshold = tonumber(ARGV[9])
local min_ratio = tonumber(ARGV[10])
local max_candidates = tonumber(ARGV[11])
local max_per_entry = tonumber(ARGV[12])
local url_entry = ARGV[13]
local text_entry = ARGV[14]
local first_band = 15
local tables_key = base .. 'i:tables'

local function doc_key(raw_digest)
  return base .. 'd:' .. string.format('%02x%02x%02x%02x%02x%02x%02x%02x', string.byte(raw_digest, 1, 8))
end

local function table_key(id)
  return base .. 'i:' .. string.format('%d', id)
end

-- 1. this article id was seen: a redelivery gets its verdict back, a resubmission is a duplicate.
local head = redis.call('MGET', KEYS[1], tables_key)
local known = head[1]
if known then
  local rec = cmsgpack.unpack(known)
  if rec[1] == sub then
    return {rec[2], rec[3], rec[4], rec[5]}
  end
  local root = rec[3]
  if root == '' then root = rec[6] end
  return {'exact', root, '1', 'id'}
end

local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local unit_ms = math.ceil(window_ms / units)
local stamp = math.floor(now_ms / unit_ms) % 256
local keep_ms = window_ms + unit_ms  -- how long the newest table outlives its last write

-- the live tables, newest first: {id, N, until}
local tables = {}
if head[2] then
  local words = {}
  for word in string.gmatch(head[2], '%S+') do words[#words + 1] = tonumber(word) end
  for t = 1, #words, 3 do
    if t == 1 or words[t + 2] > now_ms then
      tables[#tables + 1] = {words[t], words[t + 1], words[t + 2]}
    end
  end
end

-- This check's entries (URL, text, bands): the first 3 bytes choose the bucket, the rest is the tag.
local entries, tags, sizes, prefix_of, exact_of = {}, {}, {}, {}, {}
local url_at, text_at = nil, nil
if url_entry ~= '' then entries[#entries + 1] = url_entry; url_at = #entries end
entries[#entries + 1] = text_entry; text_at = #entries
local first_band_at = #entries + 1
if shingles > 0 then
  for i = first_band, #ARGV do entries[#entries + 1] = ARGV[i] end
end
for i, entry in ipairs(entries) do
  local b1, b2, b3 = string.byte(entry, 1, 3)
  prefix_of[i] = b1 * 65536 + b2 * 256 + b3
  tags[i] = string.sub(entry, 4)
  sizes[i] = #tags[i] + 1 + DIGEST
  exact_of[i] = i < first_band_at
end

-- the bucket field of every entry in a table of n band buckets
local function fields(n)
  local f = {}
  local exact_n = math.max(1, math.floor(n / EXACT_BUCKET_SHARE))
  for i = 1, #entries do
    if exact_of[i] then
      f[i] = 'e' .. string.format('%d', prefix_of[i] % exact_n)
    else
      f[i] = string.format('%d', prefix_of[i] % n)
    end
  end
  return f
end

-- the digests of the records tagged `tag` in a bucket of records of `size` bytes
local function digests_in(bucket, tag, size, out)
  local from = 1
  while true do
    local at = string.find(bucket, tag, from, true)
    if not at then return end
    if (at - 1) % size == 0 then
      out[#out + 1] = string.sub(bucket, at + size - DIGEST, at + size - 1)
      from = at + size
    else
      from = at + 1
    end
  end
end

-- Every article digest stored under each entry, over the live tables, newest first (one HMGET a
-- table). The newest table's buckets and fields, and how many records each entry has there, are
-- kept for the insert.
local found, current, current_fields, held_here = {}, {}, nil, {}
for i = 1, #entries do found[i] = {}; held_here[i] = 0 end
for t, tbl in ipairs(tables) do
  local f = fields(tbl[2])
  local buckets = redis.call('HMGET', table_key(tbl[1]), unpack(f))
  if t == 1 then current, current_fields = buckets, f end
  for i = 1, #entries do
    local bucket = buckets[i]
    if bucket then digests_in(bucket, tags[i], sizes[i], found[i]) end
    if t == 1 then held_here[i] = #found[i] end
  end
end

local function remember(kind, root, similarity, matched_on)
  local rec = {sub, kind, root, similarity, matched_on, article_id}
  redis.call('SET', KEYS[1], cmsgpack.pack(rec), 'PX', window_ms)
  return {kind, root, similarity, matched_on}
end

-- 2. and 3. exact: the same canonical URL, then the same normalized text
for _, exact in ipairs({{url_at, 'url'}, {text_at, 'text'}}) do
  local at = exact[1]
  if at then
    for _, d in ipairs(found[at]) do
      local rec = redis.call('GET', doc_key(d))
      if rec then
        return remember('exact', cmsgpack.unpack(rec)[6], '1', exact[2])
      end
    end
  end
end

-- 4. near: LSH band candidates, each verified against its stored signature. With b-bit MinHash
-- (b = 8) two different values agree by chance with probability 1/256; the estimate corrects it.
local perms = #sig
local chance = 1 / 256
local best, best_sim = nil, -1
if shingles > 0 then
  local candidates, seen = {}, {}
  for i = first_band_at, #entries do
    for _, d in ipairs(found[i]) do
      if not seen[d] and #candidates < max_candidates then
        seen[d] = true
        candidates[#candidates + 1] = d
      end
    end
  end
  local mine = nil
  for _, d in ipairs(candidates) do
    local raw = redis.call('GET', doc_key(d))
    if raw then
      local rec = cmsgpack.unpack(raw)
      local other = rec[8]
      if rec[2] == 'original' and other and #other == #sig then
        mine = mine or {string.byte(sig, 1, -1)}
        local theirs = {string.byte(other, 1, -1)}
        local same = 0
        for p = 1, perms do
          if mine[p] == theirs[p] then same = same + 1 end
        end
        local j = math.max(0, (same / perms - chance) / (1 - chance))
        local sim = nil
        if j >= threshold then
          sim = j
        else
          local n = tonumber(rec[7])
          local small, large = math.min(n, shingles), math.max(n, shingles)
          if small > 0 and small / large >= min_ratio then
            local containment = math.min(1, j * (n + shingles) / ((1 + j) * small))
            if containment >= threshold then sim = containment end
          end
        end
        if sim and sim > best_sim then best, best_sim = rec[6], sim end
      end
    end
  end
end
if best then
  return remember('near', best, string.format('%.4f', best_sim), 'minhash')
end

-- 5. original: record it and index its URL, text and bands in the newest table
local rec = {sub, 'original', '', '', '', article_id, shingles, sig}
redis.call('SET', KEYS[1], cmsgpack.pack(rec), 'PX', window_ms)
if #tables == 0 then
  tables[1] = {now_ms, MIN_BUCKETS, 0}
  current_fields = fields(MIN_BUCKETS)  -- and no buckets yet (current is empty)
end

-- A bucket rewritten drops the stale records at its front (records are in time order).
local function fresh(bucket, size)
  local from = 1
  while from <= #bucket and (stamp - string.byte(bucket, from + size - DIGEST - 1)) % 256 > units do
    from = from + size
  end
  if from == 1 then return bucket end
  return string.sub(bucket, from)
end
-- Records may name articles that are gone: taken back by dedup_forget.lua (the article ended
-- rejected or dead-lettered) or expired. A URL or text record here names no live article (the
-- exact lookup above confirmed each): it is taken over. A band entry with max_per_entry records
-- drops those of articles that are gone before it refuses a new one.
local function without(bucket, tag, size, keep)
  local kept = {}
  for at = 1, #bucket, size do
    local record = string.sub(bucket, at, at + size - 1)
    if string.sub(record, 1, #tag) ~= tag or keep(record) then kept[#kept + 1] = record end
  end
  return table.concat(kept)
end
local function never() return false end
local function alive(record)
  return redis.call('EXISTS', doc_key(string.sub(record, -DIGEST))) == 1
end
local function count(bucket, tag, size)
  local held = {}
  digests_in(bucket, tag, size, held)
  return #held
end

local pending, order, records_seen = {}, {}, 0
local tail = string.char(stamp) .. digest
for at = 1, #entries do
  local field, tag, size = current_fields[at], tags[at], sizes[at]
  local bucket = pending[field]
  local held = held_here[at]
  if bucket then  -- another entry of this article went to this bucket first: count again
    held = count(bucket, tag, size)
  else
    bucket = fresh(current[at] or '', size)
    records_seen = records_seen + #bucket / size
    order[#order + 1] = field
  end
  if exact_of[at] then
    if held > 0 then bucket = without(bucket, tag, size, never) end
    held = 0
  elseif held >= max_per_entry then
    bucket = without(bucket, tag, size, alive)
    held = count(bucket, tag, size)
  end
  if held < max_per_entry then bucket = bucket .. tag .. tail end
  pending[field] = bucket
end
local args = {}
for _, field in ipairs(order) do
  args[#args + 1] = field
  args[#args + 1] = pending[field]
end
local newest = tables[1]
local newest_key = table_key(newest[1])
local expire_at = string.format('%d', now_ms + keep_ms)
redis.call('HSET', newest_key, unpack(args))
redis.call('PEXPIREAT', newest_key, expire_at)

-- a new table when the buckets this original saw were too full, or long too empty
local load = records_seen / #order
local resized = nil
if load > 2 * RECORDS_PER_BUCKET and newest[2] < MAX_BUCKETS and #tables < MAX_TABLES then
  resized = math.min(MAX_BUCKETS, newest[2] * 4)
elseif load < RECORDS_PER_BUCKET / 8 and newest[2] > MIN_BUCKETS and #tables == 1
    and newest[1] + keep_ms < now_ms then
  resized = math.max(MIN_BUCKETS, newest[2] / 4)
end
if resized then
  newest[3] = now_ms + keep_ms
  table.insert(tables, 1, {math.max(now_ms, newest[1] + 1), resized, 0})
end
local words = {}
for _, tbl in ipairs(tables) do
  words[#words + 1] = string.format('%d %d %d', tbl[1], tbl[2], tbl[3])
end
redis.call('SET', tables_key, table.concat(words, ' '), 'PXAT', expire_at)
return {'original', '', '', ''}
