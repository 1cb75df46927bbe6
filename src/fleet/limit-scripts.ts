import { LuaScript } from '../queue/redis/lua-script.ts';

/**
 * The fleet's limits, on Redis's clock (`TIME`), never a worker's.
 *
 * Concurrency: `P:sem:<name>` is a sorted set of holders by the time their permit expires
 * (a holder that dies frees its permit then). ARGV: prefix, name, max, holder, ttl ms.
 * Returns {1, 0} when taken, or {0, ms until the oldest permit expires}.
 */
export const takePermitScript = new LuaScript(`#!lua
local key = ARGV[1] .. ':sem:' .. ARGV[2]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) < tonumber(ARGV[3]) then
  redis.call('ZADD', key, now + tonumber(ARGV[5]), ARGV[4])
  redis.call('PEXPIRE', key, tonumber(ARGV[5]))
  return { 1, 0 }
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return { 0, math.max(1, tonumber(oldest[2]) - now) }
`);

/** ARGV: prefix, name, holder, ttl ms. Extends a permit still held. */
export const renewPermitScript = new LuaScript(`#!lua
local key = ARGV[1] .. ':sem:' .. ARGV[2]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', key, 'XX', now + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', key, tonumber(ARGV[4]))
return 1
`);

/** ARGV: prefix, name, holder. */
export const givePermitScript = new LuaScript(`#!lua
return redis.call('ZREM', ARGV[1] .. ':sem:' .. ARGV[2], ARGV[3])
`);

/**
 * Rate: a sliding-window log. `P:rate:<name>` holds the times requests were let through in
 * the last window: never more than `limit` in any window of `window` ms. ARGV: prefix, name,
 * limit, window ms, a unique id. Returns {1, 0} when let through, or {0, ms to wait}.
 */
export const takeRateScript = new LuaScript(`#!lua
local key = ARGV[1] .. ':rate:' .. ARGV[2]
local window = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < tonumber(ARGV[3]) then
  redis.call('ZADD', key, now, ARGV[5])
  redis.call('PEXPIRE', key, window)
  return { 1, 0 }
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return { 0, math.max(1, tonumber(oldest[2]) + window - now + 1) }
`);
