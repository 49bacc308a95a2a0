-- A token bucket per client shared by every server: perMinute requests a minute, refilled
-- continuously, bursts up to a minute's worth; the bucket goes a minute after its last use (it would
-- be full again by then). Returns 0 when the request may go, else the seconds until a token is back.
-- ARGV: key, perMinute
local key, cap = ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', key, 'tokens', 'ms')
local tokens = tonumber(b[1]) or cap
local at = tonumber(b[2]) or now
tokens = math.min(cap, tokens + (now - at) * cap / 60000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 60000 / cap / 1000) end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ms', now)
redis.call('PEXPIRE', key, 60000)
return wait
