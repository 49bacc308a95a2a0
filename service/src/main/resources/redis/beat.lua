-- A server's heartbeat: its key lives for ttl ms unless renewed; the engine it runs on is kept
-- (after the key lapses too) so that only a server on the same engine takes its leases over.
-- Returns 1 if the previous beat was still alive, 0 if it had lapsed (or this is the first).
-- ARGV: prefix, instance, engine id, ttl ms
local p, id, engine, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local alive = redis.call('SET', p .. 'instance:' .. id, engine, 'XX', 'PX', ttl)
if alive then return 1 end
redis.call('SET', p .. 'instance:' .. id, engine, 'PX', ttl)
redis.call('SADD', p .. 'instances', id)
redis.call('HSET', p .. 'instance-engines', id, engine)
return 0
