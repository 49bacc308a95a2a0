-- Forgets at most limit leases that ended before cutoff (milliseconds); never a live one.
-- ARGV: prefix, cutoff, limit
local p = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', p .. 'ended', '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  local key = p .. 'lease:' .. id
  local owner = redis.call('HGET', key, 'owner')
  redis.call('DEL', key)
  redis.call('ZREM', p .. 'leases', id)
  redis.call('ZREM', p .. 'ended', id)
  if owner then redis.call('ZREM', p .. 'owner:' .. owner, id) end
end
return #ids
