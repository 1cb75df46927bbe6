import { STATUS_CODES } from 'node:http';
import { isRecord, parseObject } from '../http/json.ts';
import type { ProviderHandler } from './provider-handler.ts';
import { correlationId, jsonReply, retryAfter } from './replies.ts';
import type { MockReply } from './mock-types.ts';

/** A call engagement the mock recorded. */
export interface MockCrmRecord {
  id: string;
  properties: Record<string, string>;
  /** Mock clock ms. */
  createdAt: number;
}

const error = (status: number, body: Record<string, unknown>, headers = {}): MockReply =>
  jsonReply(status, { status: 'error', correlationId: correlationId(), ...body }, headers);

const rateLimit = (
  policyName: string,
  message: string,
  headers: Record<string, string>,
): MockReply =>
  error(429, { message, errorType: 'RATE_LIMIT', policyName, groupName: 'publicapi' }, headers);

const unauthorized = (): MockReply =>
  error(401, {
    message: 'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
    category: 'INVALID_AUTHENTICATION',
  });

const NAMED: Record<string, () => MockReply> = {
  TEN_SECONDLY_ROLLING: () =>
    rateLimit('TEN_SECONDLY_ROLLING', 'You have reached your ten_secondly_rolling limit.', {
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-max': '100',
      'x-hubspot-ratelimit-remaining': '0',
    }),
  DAILY: () =>
    rateLimit('DAILY', 'You have reached your daily limit.', {
      'x-hubspot-ratelimit-daily': '250000',
      'x-hubspot-ratelimit-daily-remaining': '0',
    }),
  INVALID_AUTHENTICATION: unauthorized,
  MISSING_SCOPES: () =>
    error(403, {
      message: 'This app hasn\u2019t been granted all required scopes.',
      category: 'MISSING_SCOPES',
    }),
  VALIDATION_ERROR: () =>
    error(400, { message: 'Property values were not valid', category: 'VALIDATION_ERROR' }),
};

export type HubSpotMockHandler = ProviderHandler & { records(): readonly MockCrmRecord[] };

const CALLS = '/crm/v3/objects/calls';
const SEARCH = `${CALLS}/search`;

/**
 * The `EQ` filters of a search body (HubSpot ANDs a group's filters, ORs the groups); undefined
 * when it holds anything else (another operator, an empty group): the mock does not speak it.
 */
function equalities(body: unknown): Array<Array<[string, string]>> | undefined {
  if (!isRecord(body) || !Array.isArray(body.filterGroups)) return undefined;
  const groups: Array<Array<[string, string]>> = [];
  for (const group of body.filterGroups as unknown[]) {
    const filters: unknown = isRecord(group) ? group.filters : undefined;
    if (!Array.isArray(filters) || filters.length === 0) return undefined;
    const pairs: Array<[string, string]> = [];
    for (const filter of filters as unknown[]) {
      if (!isRecord(filter) || filter.operator !== 'EQ') return undefined;
      pairs.push([String(filter.propertyName), String(filter.value)]);
    }
    groups.push(pairs);
  }
  return groups;
}

/**
 * `POST /crm/v3/objects/calls` (bearer token), `GET /crm/v3/objects/calls?limit=` and
 * `POST /crm/v3/objects/calls/search` (`EQ` filters only; found at once, where HubSpot's
 * index may lag a few seconds).
 */
export function createHubSpotHandler(): HubSpotMockHandler {
  const records: MockCrmRecord[] = [];
  let nextId = 1_000_001;

  const json = (record: MockCrmRecord) => {
    const at = new Date(record.createdAt).toISOString();
    return {
      id: record.id,
      properties: record.properties,
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
  };

  function create(body: string, now: number): MockReply {
    const properties = parseObject(body)?.properties;
    if (!isRecord(properties) || typeof properties.hs_timestamp !== 'string')
      return NAMED.VALIDATION_ERROR!();
    const id = String(nextId++);
    const strings = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, String(v)]));
    const record: MockCrmRecord = {
      id,
      properties: { ...strings, hs_object_id: id },
      createdAt: now,
    };
    records.push(record);
    return jsonReply(201, json(record));
  }

  function search(body: string): MockReply {
    const groups = equalities(parseObject(body));
    if (!groups) return NAMED.VALIDATION_ERROR!();
    const found = records.filter((record) =>
      groups.some((group) => group.every(([name, value]) => record.properties[name] === value)),
    );
    return jsonReply(200, { total: found.length, results: found.slice(0, 10).map(json) });
  }

  return {
    id: 'hubspot',
    records: () => records,
    endpoint(request) {
      if (request.path === SEARCH) return request.method === 'POST' ? 'operation' : undefined;
      if (request.path !== CALLS) return undefined;
      if (request.method === 'POST') return 'operation';
      return request.method === 'GET' ? 'probe' : undefined;
    },
    checkAuth: (request) =>
      /^Bearer \S+/.test(request.headers.authorization ?? '') ? undefined : unauthorized(),
    serve(request, now) {
      if (request.path === SEARCH) return search(request.body);
      if (request.method === 'POST') return create(request.body, now);
      const limit = Math.max(1, Math.min(100, Number(request.query.get('limit') ?? 10) || 10));
      return jsonReply(200, { results: records.slice(0, limit).map(json) });
    },
    contentType: () => 'application/json',
    namedError: (code) => NAMED[code]?.(),
    statusError: (status, seconds) =>
      status === 401
        ? unauthorized()
        : error(status, { message: STATUS_CODES[status] ?? 'Error' }, retryAfter(seconds)),
    rateLimited: (seconds) =>
      rateLimit(
        'TEN_SECONDLY_ROLLING',
        'You have reached your ten_secondly_rolling limit.',
        retryAfter(seconds),
      ),
    notFound: () => error(404, { message: 'Not Found', category: 'OBJECT_NOT_FOUND' }),
    reset() {
      records.length = 0;
      nextId = 1_000_001;
    },
  };
}
