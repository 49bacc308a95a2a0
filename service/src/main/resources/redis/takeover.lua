-- Moves every live lease a dead server held to this one, raising each lease's fence. Does nothing if
-- the dead server's heartbeat is back (it was only slow), so two servers never both hold a lease.
-- ARGV: prefix, dead instance, this instance
local p, dead, self = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', p .. 'instance:' .. dead) == 1 then return {} end
local ids = redis.call('ZRANGE', p .. 'held:' .. dead, 0, -1)
for _, id in ipairs(ids) do
  local key = p .. 'lease:' .. id
  redis.call('HSET', key, 'holder', self)
  redis.call('HINCRBY', key, 'fence', 1)
  redis.call('ZADD', p .. 'held:' .. self, 0, id)
end
redis.call('DEL', p .. 'held:' .. dead)
return ids
