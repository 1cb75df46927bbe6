import { LuaScript } from './lua-script.ts';

/**
 * The Redis call queue's scripts. Each runs atomically; every one takes the same first three
 * arguments: the key prefix (with its `{hash tag}`), the time in ms (`''`: Redis's own `TIME`)
 * and the byte cap (0: none).
 *
 * Each script starts with a `#!lua` line: Redis (7+) then refuses a script that may write at
 * once when it is over its maxmemory, before it does anything. Without it a script would fail
 * at its first write that needs memory, the deletions before it done (a contact out of its
 * indexes). Scripts that only read say so (`flags=no-writes`) and run even then.
 *
 * Keys under the prefix P:
 * - `P:c:<id>` hash, one per contact: `d` data (JSON), `ph` phone, `st` state, `sq` enqueue
 *   order, `cl` claims, `fa` counted failures, `rs` reason, `wo` service waited for, `nb`
 *   not-before, `du` when it can next be claimed ('' for never: finished, or waiting to be
 *   released), `tk` lease token, `wk` worker, `ho` holder, `up` updated, `cb` checkpoint
 *   bytes, `dn`/`dr` the request id and result of the last finishing write (a write resent
 *   after a lost reply is answered, not applied twice);
 * - `P:cp:<id>` hash: the contact's checkpoints, one JSON value per field;
 * - `P:due` zset of `<seq, 16 digits><id>` by due time: claim order (due time, then enqueue
 *   order), shared by pending, in-progress (lease expiry) and timed deferred contacts;
 * - `P:st:<state>` zset of ids by enqueue order (counts, lists); `P:order` every id;
 * - `P:w:#<service>` timed deferred contacts by due time, `P:park:#<service>` those waiting to
 *   be released, by enqueue order; `P:wsvc` the services contacts wait for;
 * - `P:phones` phone → id; `P:tok` lease token → id; `P:seq`; `P:bytes`;
 * - channel `P:wake`: contacts fell due now (enqueued, released, requeued): idle workers look;
 * - `P:ob` outbox ids in order, `P:ob:<id>` hash entry, `P:obrq` request id → entry, `P:obseq`;
 * - the contacts' histories (`P:h:<id>`, `hb` in the contact's hash): see `admin-scripts.ts`.
 */
const PRELUDE = `
local P = ARGV[1]
local NOW
if ARGV[2] ~= '' then NOW = tonumber(ARGV[2]) else
  local t = redis.call('TIME')
  NOW = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local MAXB = tonumber(ARGV[3])
local DUE = P .. ':due'
local WSVC = P .. ':wsvc'
local BYTES = P .. ':bytes'
local function ck(id) return P .. ':c:' .. id end
local function cpk(id) return P .. ':cp:' .. id end
local function stk(st) return P .. ':st:' .. st end
local function wk(s) return P .. ':w:#' .. s end
local function pk(s) return P .. ':park:#' .. s end
local function member(seq, id) return string.format('%016d', seq) .. id end

local function fits(delta)
  if MAXB <= 0 or delta <= 0 then return true end
  return tonumber(redis.call('GET', BYTES) or '0') + delta <= MAXB
end
local function full()
  return redis.error_reply('QUEUE_FULL the queue holds its maximum of ' .. MAXB .. ' bytes')
end
local function add_bytes(delta) if delta ~= 0 then redis.call('INCRBY', BYTES, delta) end end
-- tells idle workers that contacts are due now
local function wake(n) if n > 0 then redis.call('PUBLISH', P .. ':wake', n) end end

local function load(id)
  local v = redis.call('HMGET', ck(id), 'st', 'sq', 'du', 'wo', 'tk', 'fa', 'rs', 'cb', 'dn', 'dr', 'nb')
  if not v[1] then return nil end
  return { st = v[1], sq = tonumber(v[2]), du = v[3] or '', wo = v[4] or '', tk = v[5] or '',
    fa = tonumber(v[6]), rs = v[7] or '', cb = tonumber(v[8] or '0'), dn = v[9] or '',
    dr = v[10] or '', nb = v[11] or '' }
end

local function unindex(id, c)
  redis.call('ZREM', stk(c.st), id)
  if c.st == 'deferred' then
    if c.du == '' then redis.call('ZREM', pk(c.wo), id)
    else
      redis.call('ZREM', wk(c.wo), id)
      redis.call('ZREM', DUE, member(c.sq, id))
    end
  elseif c.st == 'pending' or c.st == 'in_progress' then
    redis.call('ZREM', DUE, member(c.sq, id))
  end
  if c.tk ~= '' then redis.call('HDEL', P .. ':tok', c.tk) end
end

local function index(id, c)
  redis.call('ZADD', stk(c.st), c.sq, id)
  if c.st == 'deferred' then
    redis.call('SADD', WSVC, c.wo)
    if c.du == '' then redis.call('ZADD', pk(c.wo), c.sq, id)
    else
      redis.call('ZADD', wk(c.wo), c.du, id)
      redis.call('ZADD', DUE, c.du, member(c.sq, id))
    end
  elseif c.du ~= '' then
    redis.call('ZADD', DUE, c.du, member(c.sq, id))
  end
end

local function held(c, token) return c ~= nil and c.st == 'in_progress' and c.tk == token end

local function read_patch(at)
  local n = tonumber(ARGV[at])
  local p = {}
  for i = 1, n do p[i] = { ARGV[at + 2 * i - 1], ARGV[at + 2 * i] } end
  return p
end
local function patch_delta(id, p)
  local delta = 0
  for _, kv in ipairs(p) do
    local old = redis.call('HGET', cpk(id), kv[1])
    if old then delta = delta + #kv[2] - #old else delta = delta + #kv[1] + #kv[2] end
  end
  return delta
end
local function apply_patch(id, p, delta)
  if #p == 0 then return end
  local flat = {}
  for _, kv in ipairs(p) do
    flat[#flat + 1] = kv[1]
    flat[#flat + 1] = kv[2]
  end
  redis.call('HSET', cpk(id), unpack(flat))
  redis.call('HINCRBY', ck(id), 'cb', delta)
end

local function record(id)
  local v = redis.call('HMGET', ck(id), 'd', 'st', 'cl', 'fa', 'du', 'nb', 'rs', 'wo', 'up')
  if not v[1] then return false end
  local out = { id }
  for i = 1, 9 do out[#out + 1] = v[i] or '' end
  local cp = redis.call('HGETALL', cpk(id))
  for i = 1, #cp do out[#out + 1] = cp[i] end
  return out
end
`;

/** A script of the queue: the prelude's keys and helpers, then `body`. */
export const script = (body: string): LuaScript => new LuaScript(`#!lua\n${PRELUDE}\n${body}`);
/** A script that only reads. */
export const reader = (body: string): LuaScript =>
  new LuaScript(`#!lua flags=no-writes\n${PRELUDE}\n${body}`);

/** ARGV 4..: n, then (id, phone, data) n times. Returns one verdict per contact. */
export const enqueueScript = script(`
local n = tonumber(ARGV[4])
local ids, phones, out, adds, bytes = {}, {}, {}, {}, 0
for i = 1, n do
  local id, phone, data = ARGV[3 * i + 2], ARGV[3 * i + 3], ARGV[3 * i + 4]
  local queued = ids[id] or redis.call('HGET', ck(id), 'ph')
  if queued == phone then out[i] = 'dup'
  elseif queued then out[i] = 'id'
  else
    local existing = phones[phone] or redis.call('HGET', P .. ':phones', phone)
    if existing then out[i] = 'ph:' .. existing
    else
      out[i] = 'add'
      ids[id] = phone
      phones[phone] = id
      adds[#adds + 1] = { id, phone, data }
      bytes = bytes + #id + #phone + #data + 64
    end
  end
end
if not fits(bytes) then return full() end
for _, a in ipairs(adds) do
  local seq = redis.call('INCR', P .. ':seq')
  redis.call('HSET', ck(a[1]), 'd', a[3], 'ph', a[2], 'st', 'pending', 'sq', seq, 'cl', 0,
    'fa', 0, 'rs', '', 'wo', '', 'nb', '', 'du', NOW, 'tk', '', 'up', NOW, 'cb', 0)
  redis.call('HSET', P .. ':phones', a[2], a[1])
  redis.call('ZADD', P .. ':order', seq, a[1])
  index(a[1], { st = 'pending', sq = seq, du = NOW, wo = '' })
end
add_bytes(bytes)
wake(#adds)
return out
`);

/** ARGV 4..: lease ms, token, worker, holder. The claimed contact's record, or nil. */
export const claimScript = script(`
local lease, token = tonumber(ARGV[4]), ARGV[5]
local again = redis.call('HGET', P .. ':tok', token)
if again then return record(again) end
local top = redis.call('ZRANGEBYSCORE', DUE, '-inf', NOW, 'LIMIT', 0, 1)
if #top == 0 then return false end
local id = string.sub(top[1], 17)
local c = load(id)
unindex(id, c)
c.st = 'in_progress'
c.du = NOW + lease
index(id, c)
redis.call('HSET', ck(id), 'st', 'in_progress', 'du', c.du, 'tk', token, 'wk', ARGV[6],
  'ho', ARGV[7], 'wo', '', 'nb', '', 'rs', '', 'up', NOW)
redis.call('HINCRBY', ck(id), 'cl', 1)
redis.call('HSET', P .. ':tok', token, id)
add_bytes(-#c.rs)
return record(id)
`);

/** ARGV 4..: id, token, lease ms. 1 when renewed, 0 when the lease was lost. */
export const renewScript = script(`
local id = ARGV[4]
local c = load(id)
if not held(c, ARGV[5]) then return 0 end
local du = NOW + tonumber(ARGV[6])
redis.call('ZADD', DUE, du, member(c.sq, id))
redis.call('HSET', ck(id), 'du', du, 'up', NOW)
return 1
`);

/** ARGV 4..: id, token, n, then (field, JSON value) n times. 1, or 0 when the lease was lost. */
export const checkpointScript = script(`
local id = ARGV[4]
local c = load(id)
if not held(c, ARGV[5]) then return 0 end
local p = read_patch(6)
local delta = patch_delta(id, p)
if not fits(delta) then return full() end
apply_patch(id, p, delta)
add_bytes(delta)
redis.call('HSET', ck(id), 'up', NOW)
return 1
`);

/**
 * ARGV 4..: id, token, request id, state (completed | failed), reason, n, checkpoint pairs.
 * 1, or 0 when the lease was lost.
 */
export const finishScript = script(`
local id, token, req, state, reason = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local c = load(id)
if not held(c, token) then
  if c ~= nil and c.dn == req then return 1 end
  return 0
end
local p = read_patch(9)
local cpd = patch_delta(id, p)
local delta = cpd + #reason - #c.rs
if not fits(delta) then return full() end
apply_patch(id, p, cpd)
unindex(id, c)
c.st = state
c.du = ''
index(id, c)
redis.call('HSET', ck(id), 'st', state, 'rs', reason, 'du', '', 'tk', '', 'wk', '', 'ho', '',
  'up', NOW, 'dn', req, 'dr', state)
add_bytes(delta)
return 1
`);

/**
 * ARGV 4..: id, token, request id, counts (0|1), max failed attempts, not before, reason,
 * service, until released (0|1), n, checkpoint pairs. The new state, or nil when the lease
 * was lost.
 */
export const deferScript = script(`
local id, token, req = ARGV[4], ARGV[5], ARGV[6]
local c = load(id)
if not held(c, token) then
  if c ~= nil and c.dn == req then return c.dr end
  return false
end
local fa = c.fa + tonumber(ARGV[7])
local reason = ARGV[10]
local p = read_patch(13)
local cpd = patch_delta(id, p)
local state, rs, du, nb, wo
if ARGV[7] == '1' and fa >= tonumber(ARGV[8]) then
  state, rs, du, nb, wo = 'failed', 'gave up after ' .. fa .. ' failed attempts: ' .. reason, '', '', ''
else
  state, rs, nb, wo = 'deferred', reason, ARGV[9], ARGV[11]
  if ARGV[12] == '1' then du = '' else du = nb end
end
local delta = cpd + #rs - #c.rs
if not fits(delta) then return full() end
apply_patch(id, p, cpd)
unindex(id, c)
c.st = state
c.wo = wo
if du == '' then c.du = '' else c.du = tonumber(du) end
index(id, c)
redis.call('HSET', ck(id), 'st', state, 'fa', fa, 'rs', rs, 'du', du, 'nb', nb, 'wo', wo,
  'tk', '', 'wk', '', 'ho', '', 'up', NOW, 'dn', req, 'dr', state)
add_bytes(delta)
return state
`);

/** ARGV 4: id. The contact's record, or nil. */
export const statusScript = reader(`return record(ARGV[4])`);

/** ARGV 4..: state ('' for all), limit (-1 for all). Records in enqueue order. */
export const listScript = reader(`
local key = P .. ':order'
if ARGV[4] ~= '' then key = stk(ARGV[4]) end
local limit = tonumber(ARGV[5])
if limit == 0 then return {} end
local stop = limit - 1
if limit < 0 then stop = -1 end
local ids = redis.call('ZRANGE', key, 0, stop)
local out = {}
for i, id in ipairs(ids) do out[i] = record(id) end
return out
`);

/** How many contacts are in each state, in the order of the state names given (ARGV 4..). */
export const countsScript = reader(`
local out = {}
for i = 4, #ARGV do out[#out + 1] = redis.call('ZCARD', stk(ARGV[i])) end
return out
`);

/** Per service waited for: service, contacts, of them waiting to be released, next due ('' none). */
export const waitingScript = reader(`
local out = {}
for _, s in ipairs(redis.call('SMEMBERS', WSVC)) do
  local timed, parked = redis.call('ZCARD', wk(s)), redis.call('ZCARD', pk(s))
  if timed + parked > 0 then
    local first = redis.call('ZRANGE', wk(s), 0, 0, 'WITHSCORES')
    out[#out + 1] = { s, timed + parked, parked, first[2] or '' }
  end
end
return out
`);

/** ARGV 4..: service, limit, all (1: every service). How many contacts were released. */
export const releaseScript = script(`
local function release(s, limit)
  if limit <= 0 then return 0 end
  local ids = redis.call('ZRANGE', pk(s), 0, limit - 1)
  for _, id in ipairs(ids) do
    local c = load(id)
    local du = math.max(tonumber(c.nb) or NOW, NOW)
    redis.call('ZREM', pk(s), id)
    redis.call('ZADD', wk(s), du, id)
    redis.call('ZADD', DUE, du, member(c.sq, id))
    redis.call('HSET', ck(id), 'du', du, 'up', NOW)
  end
  return #ids
end
local n = 0
if ARGV[6] ~= '1' then n = release(ARGV[4], tonumber(ARGV[5]))
else
  for _, s in ipairs(redis.call('SMEMBERS', WSVC)) do n = n + release(s, redis.call('ZCARD', pk(s))) end
end
wake(n)
return n
`);

/** Per contact in progress: its holder ('' unknown) and lease expiry. */
export const leasesScript = reader(`
local out = {}
for _, id in ipairs(redis.call('ZRANGE', stk('in_progress'), 0, -1)) do
  local v = redis.call('HMGET', ck(id), 'ho', 'du')
  out[#out + 1] = { v[1] or '', v[2] or '0' }
end
return out
`);

/** ARGV 4: holder. Makes its unexpired leases due now; returns how many. */
export const releaseLeasesScript = script(`
local n = 0
for _, id in ipairs(redis.call('ZRANGE', stk('in_progress'), 0, -1)) do
  local v = redis.call('HMGET', ck(id), 'ho', 'du', 'sq')
  if v[1] == ARGV[4] and tonumber(v[2]) > NOW then
    redis.call('ZADD', DUE, NOW, member(tonumber(v[3]), id))
    redis.call('HSET', ck(id), 'du', NOW)
    n = n + 1
  end
end
wake(n)
return n
`);

/**
 * ARGV 4..: n, then (id, keep checkpoints 0|1) n times. Per id: 'requeued', 'missing' or the
 * state it was left in.
 */
export const requeueScript = script(`
local n, out = tonumber(ARGV[4]), {}
for i = 1, n do
  local id, keep = ARGV[2 * i + 3], ARGV[2 * i + 4]
  local c = load(id)
  if c == nil then out[i] = 'missing'
  elseif c.st ~= 'failed' then out[i] = c.st
  else
    local delta = -#c.rs
    if keep == '0' then
      redis.call('DEL', cpk(id))
      redis.call('HSET', ck(id), 'cb', 0)
      delta = delta - c.cb
    end
    unindex(id, c)
    c.st = 'pending'
    c.du = NOW
    index(id, c)
    redis.call('HSET', ck(id), 'st', 'pending', 'du', NOW, 'fa', 0, 'rs', '', 'wo', '', 'nb', '',
      'up', NOW)
    add_bytes(delta)
    out[i] = 'requeued'
    wake(1)
  end
end
return out
`);

/** ARGV 4..: contact id, payload, request id. */
export const outboxAddScript = script(`
if redis.call('HEXISTS', P .. ':obrq', ARGV[6]) == 1 then return 1 end
local bytes = #ARGV[4] + #ARGV[5] + 64
if not fits(bytes) then return full() end
local id = redis.call('INCR', P .. ':obseq')
redis.call('HSET', P .. ':ob:' .. id, 'c', ARGV[4], 'p', ARGV[5], 'a', 0, 't', NOW, 'rq', ARGV[6])
redis.call('ZADD', P .. ':ob', id, id)
redis.call('HSET', P .. ':obrq', ARGV[6], id)
add_bytes(bytes)
return 1
`);

/** ARGV 4: limit. The oldest entries: id, contact id, payload, attempts, created. */
export const outboxPeekScript = reader(`
local limit = tonumber(ARGV[4])
if limit <= 0 then return {} end
local out = {}
for _, id in ipairs(redis.call('ZRANGE', P .. ':ob', 0, limit - 1)) do
  local v = redis.call('HMGET', P .. ':ob:' .. id, 'c', 'p', 'a', 't')
  out[#out + 1] = { id, v[1], v[2], v[3], v[4] }
end
return out
`);

/** ARGV 4: entry id. */
export const outboxRemoveScript = script(`
local key = P .. ':ob:' .. ARGV[4]
local v = redis.call('HMGET', key, 'c', 'p', 'rq')
if not v[1] then return 0 end
redis.call('DEL', key)
redis.call('ZREM', P .. ':ob', ARGV[4])
redis.call('HDEL', P .. ':obrq', v[3])
add_bytes(-(#v[1] + #v[2] + 64))
return 1
`);

/** ARGV 4: entry id. */
export const outboxAttemptScript = script(`
local key = P .. ':ob:' .. ARGV[4]
if redis.call('EXISTS', key) == 0 then return 0 end
redis.call('HINCRBY', key, 'a', 1)
redis.call('HSET', key, 'l', NOW)
return 1
`);
