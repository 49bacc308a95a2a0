-- Every field of each lease named, in order (an empty list for one that is gone).
-- ARGV: prefix, id, id, …
local out = {}
for i = 2, #ARGV do out[#out + 1] = redis.call('HGETALL', ARGV[1] .. 'lease:' .. ARGV[i]) end
return out
