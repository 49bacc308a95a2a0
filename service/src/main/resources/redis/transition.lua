-- A conditional change of one lease: applied only if its state is one of the allowed ones and every
-- given condition on its expiry holds. A lease that becomes ended leaves the live indexes.
-- ARGV: prefix, id, allowed states (comma-separated),
--       expiresAt at most (or ''), expiresAt equal to (or ''), expiresAt after (or ''),
--       a new expiry that must not pass maxExpiresAt (or ''),
--       fields set only when absent (comma-separated, or ''),
--       the server that must hold the lease (or '': any server may make this change), then field, value, …
local p, id = ARGV[1], ARGV[2]
local key = p .. 'lease:' .. id
local state = redis.call('HGET', key, 'state')
if not state then return 0 end
local allowed = false
for s in string.gmatch(ARGV[3], '[^,]+') do if s == state then allowed = true end end
if not allowed then return 0 end
local expires = tonumber(redis.call('HGET', key, 'expiresAt'))
if ARGV[4] ~= '' and expires > tonumber(ARGV[4]) then return 0 end
if ARGV[5] ~= '' and expires ~= tonumber(ARGV[5]) then return 0 end
if ARGV[6] ~= '' and expires <= tonumber(ARGV[6]) then return 0 end
if ARGV[7] ~= '' and tonumber(ARGV[7]) > tonumber(redis.call('HGET', key, 'maxExpiresAt')) then return 0 end
if ARGV[9] ~= '' and redis.call('HGET', key, 'holder') ~= ARGV[9] then return 0 end
local keep = {}
for f in string.gmatch(ARGV[8], '[^,]+') do keep[f] = true end
for i = 10, #ARGV, 2 do
  if not (keep[ARGV[i]] and redis.call('HEXISTS', key, ARGV[i]) == 1) then redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
end
if redis.call('HGET', key, 'state') == 'ended' then
  local owner = redis.call('HGET', key, 'owner')
  redis.call('ZREM', p .. 'live', id)
  redis.call('ZREM', p .. 'live:owner:' .. owner, id)
  local holder = redis.call('HGET', key, 'holder')
  if holder then redis.call('ZREM', p .. 'held:' .. holder, id) end
  redis.call('ZADD', p .. 'ended', redis.call('HGET', key, 'endedAt'), id)
end
return 1
