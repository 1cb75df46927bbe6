import { reader, script } from './queue-scripts.ts';

/**
 * The scripts an operator's API needs beside the worker's (QueueAdmin: pages, look-ups,
 * removal) and the contacts' histories. Same prelude, same first three arguments as those of
 * `queue-scripts.ts`.
 *
 * Keys under the prefix P, beside the queue's:
 * - `P:h:<id>` list: the contact's last events, oldest first, each `{"at":…,"record":…}`;
 *   `hb` in the contact's hash: their bytes (counted in `P:bytes`, as checkpoints are);
 * - channel `P:ev`: each history append publishes what it was given (who wrote it and its
 *   events), for the dashboards of the fleet.
 */
const LISTED = `
local function hk(id) return P .. ':h:' .. id end
-- the contact's record, its enqueue order first
local function listed(id, seq)
  local r = record(id)
  if not r then return false end
  table.insert(r, 1, tostring(seq))
  return r
end
`;

/** ARGV 4..: state ('' for all), before ('' for none), limit. Newest first, each `listed`. */
export const pageScript = reader(`${LISTED}
local key = P .. ':order'
if ARGV[4] ~= '' then key = stk(ARGV[4]) end
local max = '+inf'
if ARGV[5] ~= '' then max = '(' .. ARGV[5] end
local rows = redis.call('ZREVRANGEBYSCORE', key, max, '-inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[6]))
local out = {}
for i = 1, #rows, 2 do out[#out + 1] = listed(rows[i], rows[i + 1]) end
return out
`);

/** ARGV 4..: 'id' or 'seq', its value. The contact, `listed`, or nil. */
export const findScript = reader(`${LISTED}
if ARGV[4] == 'id' then
  local seq = redis.call('HGET', ck(ARGV[5]), 'sq')
  if not seq then return false end
  return listed(ARGV[5], seq)
end
local ids = redis.call('ZRANGEBYSCORE', P .. ':order', ARGV[5], ARGV[5], 'LIMIT', 0, 1)
if #ids == 0 then return false end
return listed(ids[1], ARGV[5])
`);

/**
 * ARGV 4: id. Removes a contact that is not in progress from every index, with its
 * checkpoints and history, and gives back its bytes: 'removed', 'not_found' or 'in_progress'.
 */
export const removeScript = script(`${LISTED}
local id = ARGV[4]
local c = load(id)
if c == nil then return 'not_found' end
if c.st == 'in_progress' then return 'in_progress' end
local v = redis.call('HMGET', ck(id), 'd', 'ph', 'hb')
unindex(id, c)
redis.call('ZREM', P .. ':order', id)
if redis.call('HGET', P .. ':phones', v[2]) == id then redis.call('HDEL', P .. ':phones', v[2]) end
redis.call('DEL', ck(id), cpk(id), hk(id))
add_bytes(-(#id + #v[2] + #v[1] + 64 + #c.rs + c.cb + tonumber(v[3] or '0')))
return 'removed'
`);

/**
 * ARGV 4..: events kept per contact, the message to publish ('' none), n, then (contact id,
 * entry) n times. Keeps the events of contacts still queued (one removed meanwhile keeps
 * none); refused whole past the byte cap. Returns how many were kept.
 */
export const historyAppendScript = script(`${LISTED}
local keep, message, n = tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
local queued, added, total = {}, {}, 0
for i = 1, n do
  local id, entry = ARGV[5 + 2 * i], ARGV[6 + 2 * i]
  if queued[id] == nil then queued[id] = redis.call('EXISTS', ck(id)) == 1 end
  if queued[id] then
    added[id] = (added[id] or 0) + #entry
    total = total + #entry
  end
end
if not fits(total) then return full() end
local kept = 0
for i = 1, n do
  local id, entry = ARGV[5 + 2 * i], ARGV[6 + 2 * i]
  if queued[id] then
    redis.call('RPUSH', hk(id), entry)
    kept = kept + 1
  end
end
local delta = total
for id, bytes in pairs(added) do
  local over = redis.call('LLEN', hk(id)) - keep
  if over > 0 then
    for _, old in ipairs(redis.call('LRANGE', hk(id), 0, over - 1)) do bytes = bytes - #old end
    delta = delta - (added[id] - bytes)
    redis.call('LTRIM', hk(id), over, -1)
  end
  redis.call('HINCRBY', ck(id), 'hb', bytes)
end
add_bytes(delta)
if kept > 0 and message ~= '' then redis.call('PUBLISH', P .. ':ev', message) end
return kept
`);

/** ARGV 4..: contact id, limit. Its last `limit` entries, oldest first. */
export const historyListScript = reader(`${LISTED}
local limit = tonumber(ARGV[5])
if limit <= 0 then return {} end
return redis.call('LRANGE', hk(ARGV[4]), -limit, -1)
`);
