import { LuaScript } from '../queue/redis/lua-script.ts';

/**
 * Breaker state shared by the fleet. Key `P:cb:<service>` holds `v`, the state's version (its
 * epoch: +1 per transition), `s` the snapshot (times on Redis's clock) and `t` when it was
 * saved (Redis `TIME`). Every saved transition is published on `P:cb`.
 */

/**
 * ARGV: prefix, service, base version, snapshot JSON. Saves the transition only if the state
 * it was decided on (base) is still the fleet's: two workers cannot both move a breaker, and
 * a late write from an older generation is refused. A key that is gone (a Redis that lost
 * its data) takes any base. Returns {1, version} or {0, version, snapshot} (the fleet's).
 */
export const saveCircuitScript = new LuaScript(`#!lua
local key = ARGV[1] .. ':cb:' .. ARGV[2]
local current = tonumber(redis.call('HGET', key, 'v') or '0')
local base = tonumber(ARGV[3])
if current ~= 0 and current ~= base then
  return { 0, current, redis.call('HGET', key, 's') }
end
local version = math.max(current, base) + 1
local t = redis.call('TIME')
redis.call('HSET', key, 'v', version, 's', ARGV[4], 't', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
redis.call('PUBLISH', ARGV[1] .. ':cb', cjson.encode({ service = ARGV[2], version = version, snapshot = ARGV[4] }))
return { 1, version }
`);

/**
 * ARGV: prefix, service, owner, ttl ms. Takes the service's half-open trial permit, or keeps
 * it if the owner has it already, for `ttl` (a holder that dies does not wedge the breaker).
 * Returns {1, ttl} or {0, ms until it expires}.
 */
export const takeTrialScript = new LuaScript(`#!lua
local key = ARGV[1] .. ':trial:' .. ARGV[2]
if redis.call('SET', key, ARGV[3], 'NX', 'PX', ARGV[4]) then return { 1, tonumber(ARGV[4]) } end
if redis.call('GET', key) == ARGV[3] then
  redis.call('PEXPIRE', key, ARGV[4])
  return { 1, tonumber(ARGV[4]) }
end
return { 0, redis.call('PTTL', key) }
`);

/** ARGV: key, owner. Deletes the key if the owner still holds it. */
export const releaseOwnedScript = new LuaScript(`#!lua
if redis.call('GET', ARGV[1]) == ARGV[2] then return redis.call('DEL', ARGV[1]) end
return 0
`);
