-- registry_register: record that an article mentions an event, atomically and idempotently.
--
-- Key layout (one key per event, so the script touches a single key and is Redis Cluster safe with
-- no hash tag; events spread over every slot):
--
--   <key_prefix>ev:<hex32>   hash, <hex32> = blake2b-128 of the event id
--       c              article id of the creator (the first article that registered the event)
--       n              distinct mentioning articles
--       m              distinct outlets (an article without an outlet adds none)
--       a<12 bytes>    one field per mentioning article (blake2b-96 of its id), its article id
--       r              the event.created envelope as published (written by publish_once.lua only)
--       o<12 bytes>    one field per outlet (blake2b-96 of the normalized outlet name)
--   TTL: the window, refreshed on every call -- an event lives until one window after its last
--   mention, so a story reported every day stays one event.
--
-- KEYS[1]  the event key
-- ARGV[1]  article id (raw; stored as creator)
-- ARGV[2]  article digest (12 raw bytes)
-- ARGV[3]  outlet digest (12 raw bytes) or "" for no outlet
-- ARGV[4]  window in milliseconds
--
-- Returns {created (1/0), articles, outlets}. Calling it again for the same article changes
-- nothing and returns the same answer (created is true exactly for the creator).

local key = KEYS[1]
if redis.call('HSETNX', key, 'a' .. ARGV[2], ARGV[1]) == 1 then
  redis.call('HSETNX', key, 'c', ARGV[1])
  redis.call('HINCRBY', key, 'n', 1)
  if ARGV[3] ~= '' and redis.call('HSETNX', key, 'o' .. ARGV[3], '1') == 1 then
    redis.call('HINCRBY', key, 'm', 1)
  end
end
redis.call('PEXPIRE', key, ARGV[4])
local state = redis.call('HMGET', key, 'c', 'n', 'm')
local created = 0
if state[1] == ARGV[1] then created = 1 end
return {created, tonumber(state[2]), tonumber(state[3] or '0')}
