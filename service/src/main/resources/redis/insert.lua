-- Records a new lease if its owner and the service are under their live-lease quotas, atomically.
-- The inserting server holds it (fence 1) until it dies and another takes it over.
-- ARGV: prefix, perOwner (-1: no limit), total (-1: no limit), id, owner, holder, then field, value, …
local p, perOwner, total, id, owner, holder = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[6]
if perOwner >= 0 and redis.call('ZCARD', p .. 'live:owner:' .. owner) >= perOwner then return 'OWNER_FULL' end
if total >= 0 and redis.call('ZCARD', p .. 'live') >= total then return 'SERVICE_FULL' end
local key = p .. 'lease:' .. id
if redis.call('EXISTS', key) == 1 then return redis.error_reply('lease ' .. id .. ' exists already') end
for i = 7, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
redis.call('HSET', key, 'holder', holder, 'fence', 1)
redis.call('ZADD', p .. 'held:' .. holder, 0, id)
-- Score 0 everywhere: the sets are ordered by id (creation order), read with ZRANGEBYLEX.
redis.call('ZADD', p .. 'leases', 0, id)
redis.call('ZADD', p .. 'live', 0, id)
redis.call('ZADD', p .. 'owner:' .. owner, 0, id)
redis.call('ZADD', p .. 'live:owner:' .. owner, 0, id)
return 'INSERTED'
