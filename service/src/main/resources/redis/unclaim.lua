-- Gives up a claim only if it is still the caller's (a claim that lapsed may have gone to another).
-- ARGV: key, token
if redis.call('GET', ARGV[1]) == ARGV[2] then return redis.call('DEL', ARGV[1]) end
return 0
