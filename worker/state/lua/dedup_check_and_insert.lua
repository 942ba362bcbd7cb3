-- dedup_check_and_insert: decide whether an article is original, an exact or a near duplicate, and
-- index it if it is original -- in one atomic step, so that of N copies racing on N workers exactly
-- one becomes the original.
--
-- Key layout (B = <key_prefix>{<key_prefix>dedup}: ; every producer string is hashed before it reaches a key)
--
--   B d:<hex16>            string, msgpack record of one checked article, <hex16> = blake2b-64 of
--                          the article id. PEXPIRE window, set once (not refreshed on touch).
--                          original : {sub, "original", "", "", "", article_id, shingles, sig8}
--                          duplicate: {sub, kind, root_id, similarity, matched_on, article_id}
--                          sig8 = the low 8 bits of each MinHash value, 1 byte per permutation.
--   B x:<gen>:n            string, the number of buckets N of generation <gen> (gen = floor(now_ms /
--                          (window_ms / G))), fixed by the first write of the generation.
--   B x:<gen>:c            string, originals indexed in generation <gen> (sizes the next one).
--   B x:<gen>:f            string, the presence filter of generation <gen>: a bitmap of N * 256
--                          bits, bit <bucket> * 256 + <the entry's 4th byte> set for every entry
--                          written into the generation. A check reads the bits of all its entries
--                          in one BITFIELD per generation and looks into a bucket only where the bit
--                          is set: in steady state 5 generations are live, and without the filter an
--                          original's 34 entries cost 170 HGETs, each a scan of a listpack of up to
--                          64 entries (half the script's time, measured). 256 bits per bucket of at
--                          most 64 entries: 4 bits or more per entry, 17 B an article at full
--                          buckets; an absent entry finds its bit set by another about 20% of the
--                          time at full buckets, which costs only the HGET it would cost anyway.
--                          Written with the buckets, same expiry; a generation begun without a filter
--                          (by an older script) never gets one and is looked up entry by entry.
--                          The filter knows every entry of its generation, so an original's insert
--                          reads nothing: where the current generation's bit is clear the field is
--                          absent (HSET, no HSETNX) and the bucket may be new (PTTL, then PEXPIREAT);
--                          where it is set the lookup already read the field's value and the bucket
--                          exists with its expiry (no PTTL, no SET of the bit).
--   B x:<gen>:<bucket>     hash, one bucket of the lookup index of generation <gen>, <bucket> = the
--                          first 3 bytes of an entry (big-endian) modulo N. Field: the rest of the
--                          entry; value: one or more 8-byte article digests (the d: key's hash).
--                          Three kinds of entry share the buckets, told apart by the hashed domain:
--                          the canonical URL and the normalized-text hash (9-byte entries: 6-byte
--                          fields, so two texts practically never share one) and each LSH band of
--                          the signature (6-byte entries: 3-byte fields; a field shared by chance
--                          only adds a candidate, and every candidate's signature is verified).
--                          Only originals are indexed. All x: keys: PEXPIREAT end of generation +
--                          window.
--
-- Why buckets and generations: one key per index entry costs ~140 B, and an original has 34
-- entries (URL, text, 32 bands); small ziplist/listpack hashes hold them in 15-18 B each. A
-- bucket must stay small (below hash-max-listpack-entries, 128 by default) or it becomes a real
-- hash table at ~80 B an entry, and every bucket key costs ~200 B of its own: so N follows the
-- traffic, the smallest power of two giving the previous generation's originals at most 64
-- entries a bucket (at least MIN_BUCKETS, at most MAX_BUCKETS). Redis < 7.4 cannot expire hash
-- fields, so entries go into a generation's buckets and the whole bucket expires at the end of
-- its generation plus the window: an index entry lives between window and window * (1 + 1/G).
-- The article record (d:) has an exact TTL and every hit is confirmed against it, so the
-- effective dedup window is exactly the configured one.
--
-- Redis Cluster: every key carries the hash tag {<key_prefix>dedup}, so all of them live in one
-- slot and the script may read keys it computes (the candidates of a band) -- the only way an LSH lookup can be
-- one atomic step. Trade-off: the dedup index of one key prefix sits on one shard (README, "Redis
-- layout") and throughput or memory beyond one node need a split by prefix (per tenant or
-- language), never by article. Undeclared keys are allowed on a cluster only because they share
-- the declared key's slot.
--
-- KEYS[1]  B d:<hex16> of this article (declared so a cluster client routes the call)
-- ARGV[1]  B (key base, ends with ':')
-- ARGV[2]  window in milliseconds
-- ARGV[3]  G, number of generations per window
-- ARGV[4]  submission digest (12 raw bytes)
-- ARGV[5]  article id (raw bytes, stored, returned as duplicate_of)
-- ARGV[6]  article digest (8 raw bytes, the value stored in index entries)
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

local MIN_BUCKETS, MAX_BUCKETS, ENTRIES_PER_BUCKET, ENTRIES_PER_ORIGINAL = 16384, 1048576, 64, 34
local FILTER_BITS_PER_BUCKET = 256  -- the filter's bit of an entry: bucket * 256 + its 4th byte
local DIGEST = 8  -- bytes of an article digest
local base = ARGV[1]
local window_ms = tonumber(ARGV[2])
local generations = tonumber(ARGV[3])
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

local function doc_key(raw_digest)
  return base .. 'd:' .. string.format('%02x%02x%02x%02x%02x%02x%02x%02x', string.byte(raw_digest, 1, 8))
end

-- 1. this article id was seen: a redelivery gets its verdict back, a resubmission is a duplicate.
local known = redis.call('GET', KEYS[1])
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
local gen_ms = math.ceil(window_ms / generations)
local gen = math.floor(now_ms / gen_ms)

-- the live generations, newest first, that hold buckets
local meta_keys = {}
for g = gen, gen - generations, -1 do
  meta_keys[#meta_keys + 1] = base .. 'x:' .. string.format('%d', g) .. ':n'
end
local counts = redis.call('MGET', unpack(meta_keys))
local live = {}  -- {key prefix of the generation, bucket count, has a presence filter}
local filter_keys = {}
for i = 1, #meta_keys do
  if counts[i] then
    local prefix = string.sub(meta_keys[i], 1, -2)
    live[#live + 1] = {prefix, tonumber(counts[i]), true}
    filter_keys[#filter_keys + 1] = prefix .. 'f'
  end
end
-- a generation indexed before the filter existed has none: every entry is looked up there
if #live > 0 and redis.call('EXISTS', unpack(filter_keys)) < #live then
  for _, g in ipairs(live) do g[3] = redis.call('EXISTS', g[1] .. 'f') == 1 end
end

-- This check's entries (URL, text, bands), each looked up in every live generation and, for an
-- original, indexed in the current one: the first 3 bytes choose the bucket, the 4th the filter
-- bit, the rest (from the 4th byte on) is the field.
local entries = {}
local url_at, text_at, first_band_at = nil, nil, nil
if url_entry ~= '' then entries[#entries + 1] = url_entry; url_at = #entries end
entries[#entries + 1] = text_entry; text_at = #entries
first_band_at = #entries + 1
if shingles > 0 then
  for i = first_band, #ARGV do entries[#entries + 1] = ARGV[i] end
end
local prefix_of, field_of, byte_of = {}, {}, {}
for i, entry in ipairs(entries) do
  local b1, b2, b3, b4 = string.byte(entry, 1, 4)
  prefix_of[i] = b1 * 65536 + b2 * 256 + b3
  byte_of[i] = b4
  field_of[i] = string.sub(entry, 4)
end

-- Where an entry goes depends only on the bucket count of the generation (generations usually
-- share one): for a count n, the bucket name and filter bit of each entry and the BITFIELD
-- arguments that read the bits, built once as strings and shared by the generations of that
-- count (redis.call formats a number argument on every call: it was half the cost of a read).
local placements = {}
local function placement(n)
  local p = placements[n]
  if not p then
    p = {names = {}, bits = {}, get = {}}
    for i = 1, #entries do
      local bucket = prefix_of[i] % n
      p.names[i] = string.format('%d', bucket)
      p.bits[i] = string.format('%d', bucket * FILTER_BITS_PER_BUCKET + byte_of[i])
      p.get[#p.get + 1] = 'GET'; p.get[#p.get + 1] = 'u1'; p.get[#p.get + 1] = p.bits[i]
    end
    placements[n] = p
  end
  return p
end

-- the filter bits of every entry in generation g (nil: it has no filter), read once per check
local function presence(g)
  if not g[3] then return nil end
  if not g.present then
    g.present = redis.call('BITFIELD', g[1] .. 'f', unpack(placement(g[2]).get))
  end
  return g.present
end

-- all article digests stored under entries first..last, over every live generation, newest
-- first: {entry index -> digests}. A generation's buckets are looked into only for the entries
-- whose filter bit is set there. What the current generation holds under each entry is kept
-- (current_value) for the insert of an original.
local current_value = {}
local current_live = counts[1] ~= nil
local function lookup_range(first, last)
  local found = {}
  for i = first, last do found[i] = {} end
  for gi, g in ipairs(live) do
    local prefix = g[1]
    local names = placement(g[2]).names
    local present = presence(g)
    local is_current = gi == 1 and current_live
    for i = first, last do
      if not present or present[i] == 1 then
        local v = redis.call('HGET', prefix .. names[i], field_of[i])
        if v then
          if is_current then current_value[i] = v end
          local out = found[i]
          for k = 1, #v, DIGEST do out[#out + 1] = string.sub(v, k, k + DIGEST - 1) end
        end
      end
    end
  end
  return found
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
    for _, d in ipairs(lookup_range(at, at)[at]) do
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
  local found = lookup_range(first_band_at, #entries)
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

-- 5. original: record it and index its URL, text and bands in the current generation
local rec = {sub, 'original', '', '', '', article_id, shingles, sig}
redis.call('SET', KEYS[1], cmsgpack.pack(rec), 'PX', window_ms)
local expire_at = string.format('%d', (gen + 1) * gen_ms + window_ms)
local current = base .. 'x:' .. string.format('%d', gen) .. ':'
local buckets = tonumber(counts[1])
-- the filter is written from a generation's first original on, or never (a generation begun
-- before the filter existed has entries it would not know about)
local new_generation = not buckets
local filtered = new_generation or live[1][3]
if new_generation then
  -- the first original of this generation sizes it from the previous one
  local previous = tonumber(redis.call('GET', base .. 'x:' .. string.format('%d', gen - 1) .. ':c') or '0')
  buckets = MIN_BUCKETS
  while buckets < MAX_BUCKETS and buckets * ENTRIES_PER_BUCKET < previous * ENTRIES_PER_ORIGINAL do
    buckets = buckets * 2
  end
  redis.call('SET', current .. 'n', buckets)
  redis.call('PEXPIREAT', current .. 'n', expire_at)
end
if redis.call('INCR', current .. 'c') == 1 then redis.call('PEXPIREAT', current .. 'c', expire_at) end
-- An entry names records that may be gone: taken back by dedup_forget.lua (the article ended
-- rejected or dead-lettered) or expired. A URL or text entry here names no live record (the
-- exact lookup above confirmed each): it is taken over. A full band entry drops the articles
-- that are gone before it refuses a new one. Every entry of the current generation was looked
-- up above (its value is current_value, nil for none), so no write needs to read first.
local function live_only(v)
  local kept = ''
  for i = 1, #v, DIGEST do
    local d = string.sub(v, i, i + DIGEST - 1)
    if redis.call('EXISTS', doc_key(d)) == 1 then kept = kept .. d end
  end
  return kept
end
local here = placement(buckets)
-- in the current generation a set filter bit means the bucket exists already, with its expiry
local known = (not new_generation and live[1][3]) and presence(live[1]) or nil
for at = 1, #entries do
  local key = current .. here.names[at]
  local v = current_value[at]
  if not v or at < first_band_at then
    redis.call('HSET', key, field_of[at], digest)
  else
    if #v >= DIGEST * max_per_entry then v = live_only(v) end
    if #v < DIGEST * max_per_entry then redis.call('HSET', key, field_of[at], v .. digest) end
  end
  -- every bucket of a generation expires at the same moment: set it once, when the key is new
  if new_generation or ((not known or known[at] == 0) and redis.call('PTTL', key) == -1) then
    redis.call('PEXPIREAT', key, expire_at)
  end
end
if filtered then
  local args = {}
  for at = 1, #entries do
    if not known or known[at] == 0 then
      args[#args + 1] = 'SET'; args[#args + 1] = 'u1'; args[#args + 1] = here.bits[at]; args[#args + 1] = '1'
    end
  end
  if #args > 0 then redis.call('BITFIELD', current .. 'f', unpack(args)) end
  if new_generation then redis.call('PEXPIREAT', current .. 'f', expire_at) end
end
return {'original', '', '', ''}
