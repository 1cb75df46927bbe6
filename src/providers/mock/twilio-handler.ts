import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { ProviderHandler } from './provider-handler.ts';
import { jsonReply, retryAfter } from './replies.ts';
import type { MockReply, MockRequest } from './mock-types.ts';

/** A call the mock created. Like Twilio's, it stays `queued` with no start time. */
export interface MockCall {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  twiml: string;
  status: string;
  /** Mock clock ms. */
  createdAt: number;
}

const error = (status: number, code: number, message: string, headers = {}): MockReply =>
  jsonReply(
    status,
    { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
    headers,
  );

const NAMED: Record<string, (request: MockRequest) => MockReply> = {
  '21211': (r) =>
    error(400, 21211, `The 'To' number ${form(r).get('To') ?? ''} is not a valid phone number.`),
  '21214': () => error(400, 21214, "'To' phone number cannot be reached"),
  '21217': () => error(400, 21217, 'Phone number does not appear to be valid'),
  '21610': () => error(400, 21610, 'Attempt to send to unsubscribed recipient'),
  '20003': () => error(401, 20003, 'Authenticate'),
  '21210': () => error(400, 21210, "'From' phone number not verified"),
  '20429': () => error(429, 20429, 'Too Many Requests'),
};

const ACCOUNT = /^\/2010-04-01\/Accounts\/([^/]+?)(\.json|\/Calls\.json)$/;
const E164 = /^\+[1-9]\d{6,14}$/;
/** Twilio's date format: RFC 2822 with `+0000`. */
const rfc2822 = (ms: number): string => new Date(ms).toUTCString().replace('GMT', '+0000');
const form = (request: MockRequest): URLSearchParams => new URLSearchParams(request.body);

function callJson(call: MockCall): Record<string, unknown> {
  return {
    sid: call.sid,
    account_sid: call.accountSid,
    to: call.to,
    from: call.from,
    status: call.status,
    direction: 'outbound-api',
    date_created: rfc2822(call.createdAt),
    date_updated: rfc2822(call.createdAt),
    start_time: null,
    end_time: null,
    duration: null,
    price: null,
    api_version: '2010-04-01',
    uri: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}.json`,
  };
}

export type TwilioMockHandler = ProviderHandler & { calls(): readonly MockCall[] };

/**
 * `POST .../Calls.json` (form-encoded), `GET .../Calls.json?To=&From=&PageSize=` (newest
 * first; a `StartTime` filter matches nothing that has not started, as on Twilio), and
 * `GET /2010-04-01/Accounts/{sid}.json`. Basic auth whose user is the path's AccountSid.
 */
export function createTwilioHandler(): TwilioMockHandler {
  const calls: MockCall[] = [];

  function create(accountSid: string, request: MockRequest, now: number): MockReply {
    const params = form(request);
    const to = params.get('To') ?? '';
    const from = params.get('From');
    const twiml = params.get('Twiml') ?? params.get('Url');
    if (!E164.test(to)) return NAMED['21211']!(request);
    if (!from) return error(400, 21603, "A 'From' phone number is required.");
    if (!twiml) return error(400, 21205, 'Url or Twiml is required.');
    const call: MockCall = {
      sid: `CA${randomBytes(16).toString('hex')}`,
      accountSid,
      to,
      from,
      twiml,
      status: 'queued',
      createdAt: now,
    };
    calls.push(call);
    return jsonReply(201, callJson(call));
  }

  function list(accountSid: string, request: MockRequest): MockReply {
    const q = request.query;
    const startFilter = ['StartTime', 'StartTime>', 'StartTime<'].some((key) => q.has(key));
    const pageSize = Math.min(1000, Number(q.get('PageSize') ?? 50) || 50);
    const matching = calls
      .filter((call) => call.accountSid === accountSid && !startFilter)
      .filter(
        (call) =>
          (!q.has('To') || call.to === q.get('To')) &&
          (!q.has('From') || call.from === q.get('From')),
      )
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, pageSize);
    const uri = `/2010-04-01/Accounts/${accountSid}/Calls.json`;
    return jsonReply(200, {
      calls: matching.map(callJson),
      start: 0,
      end: Math.max(0, matching.length - 1),
      page: 0,
      page_size: pageSize,
      first_page_uri: `${uri}?PageSize=${pageSize}&Page=0`,
      next_page_uri: null,
      previous_page_uri: null,
      uri,
    });
  }

  return {
    id: 'twilio',
    calls: () => calls,
    endpoint(request) {
      const match = ACCOUNT.exec(request.path);
      if (!match) return undefined;
      if (match[2] === '.json') return request.method === 'GET' ? 'probe' : undefined;
      if (request.method === 'POST') return 'operation';
      return request.method === 'GET' ? 'lookup' : undefined;
    },
    checkAuth(request) {
      const sid = ACCOUNT.exec(request.path)?.[1];
      const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const [user, token] = Buffer.from(basic ?? '', 'base64')
        .toString()
        .split(':', 2);
      return sid && user === sid && token ? undefined : NAMED['20003']!(request);
    },
    serve(request, now) {
      const [, sid = '', suffix] = ACCOUNT.exec(request.path) ?? [];
      if (suffix === '.json') {
        return jsonReply(200, {
          sid,
          friendly_name: 'Mock account',
          status: 'active',
          type: 'Full',
        });
      }
      return request.method === 'POST' ? create(sid, request, now) : list(sid, request);
    },
    contentType: () => 'application/json',
    namedError: (code, request) => NAMED[code]?.(request),
    statusError: (status, seconds) =>
      status === 401
        ? error(401, 20003, 'Authenticate', retryAfter(seconds))
        : error(status, 20000 + status, STATUS_CODES[status] ?? 'Error', retryAfter(seconds)),
    rateLimited: (seconds) => error(429, 20429, 'Too Many Requests', retryAfter(seconds)),
    notFound: () => error(404, 20404, 'The requested resource was not found'),
    reset() {
      calls.length = 0;
    },
  };
}
