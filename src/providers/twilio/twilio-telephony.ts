import { TransientServiceError, type ErrorInfo } from '../../resilience/index.ts';
import { isAmbiguous } from '../http/ambiguous.ts';
import { UnresolvedWrites } from '../http/unresolved-writes.ts';
import { invalidAnswer, ProviderHttp, type HttpOptions } from '../http/provider-http.ts';
import type { PlaceCallRequest, PlacedCall, Telephony } from '../ports.ts';
import { readCall, readCallList, type CallResource } from './call-resource.ts';
import { callTwiml } from './twiml.ts';

export interface TwilioTelephonyOptions extends HttpOptions {
  /** Default `https://api.twilio.com`; may carry a gateway path. */
  baseUrl?: string | undefined;
  accountSid: string;
  authToken: string;
  /** E.164 number (or verified caller id) the calls come from. */
  fromNumber: string;
  /** Default `Twilio`. */
  service?: string | undefined;
  /**
   * Slack when matching `date_created` against a look-up's `since`: Twilio's clock and ours
   * differ, and it gives seconds only (default 5 s).
   */
  clockSkewMs?: number | undefined;
}

export const twilioDefaults = {
  baseUrl: 'https://api.twilio.com',
  service: 'Twilio',
  clockSkewMs: 5_000,
  /** Numbers whose last call attempt is unresolved that are remembered at most. */
  maxUnresolved: 1_000,
};

const PAGE_SIZE = '50';

/**
 * The telephony port over Twilio's Calls API. Placing a call is not idempotent, so after an
 * ambiguous failure (timeout, connection lost after sending, 5xx, an unreadable 2xx) the
 * adapter looks the call up before anything may try again:
 * - found → returned with `foundExisting: true`;
 * - not found → the original (transient) error is thrown: a retry is safe;
 * - the look-up fails, or the caller aborted → a TransientServiceError (`call_state_unknown`).
 *   Retrying it is safe because the next `placeCall` for that number looks up first: the call
 *   flow sets `lookUpSince` on every retry and on a resumed contact, and this adapter also
 *   remembers unresolved numbers itself (until a call to them is created or found).
 * A 429 (never processed) and a refused connection are thrown as they are: retry directly.
 */
export class TwilioTelephony implements Telephony {
  readonly service: string;
  readonly #http: ProviderHttp;
  readonly #accountPath: string;
  readonly #auth: string;
  readonly #from: string;
  readonly #clockSkewMs: number;
  /** to → since when a call to it may exist (an ambiguous attempt not yet resolved). */
  readonly #unresolved = new UnresolvedWrites<number>(twilioDefaults.maxUnresolved);

  constructor(options: TwilioTelephonyOptions) {
    const baseUrl = options.baseUrl ?? twilioDefaults.baseUrl;
    this.service = options.service ?? twilioDefaults.service;
    this.#accountPath = `/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}`;
    this.#auth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
    this.#from = options.fromNumber;
    this.#clockSkewMs = options.clockSkewMs ?? twilioDefaults.clockSkewMs;
    const secrets = [options.authToken, this.#auth.slice('Basic '.length)];
    this.#http = new ProviderHttp('twilio', this.service, baseUrl, secrets, options);
  }

  async placeCall(request: PlaceCallRequest, signal: AbortSignal): Promise<PlacedCall> {
    const since = this.#lookUpFrom(request);
    if (since !== undefined) {
      const existing = (await this.findCalls(request.to, new Date(since), signal))[0];
      if (existing) return this.#resolved(request.to, existing);
    }
    const startedAt = this.#http.clock.now();
    try {
      return this.#resolved(request.to, await this.#create(request, signal));
    } catch (error) {
      if (!signal.aborted && !isAmbiguous(error)) throw error;
      const from = since ?? startedAt;
      this.#unresolved.remember(request.to, from);
      if (signal.aborted) throw error; // the next attempt looks up first
      return await this.#lookUpAfter(error, request.to, from, signal);
    }
  }

  async findCalls(to: string, since: Date, signal: AbortSignal): Promise<PlacedCall[]> {
    const result = await this.#http.send(
      {
        method: 'GET',
        url: this.#http.url(`${this.#accountPath}/Calls.json`, {
          To: to,
          From: this.#from,
          PageSize: PAGE_SIZE,
        }),
        headers: { authorization: this.#auth },
      },
      signal,
    );
    const calls = readCallList(this.#http.json(result));
    if (!calls) throw invalidAnswer(this.service, result.status, 'not a list of calls');
    const from = Math.floor(since.getTime() / 1000) * 1000 - this.#clockSkewMs;
    return calls
      .filter((call) => call.createdAt >= from)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map(({ callSid, status }) => ({ callSid, status, foundExisting: true }));
  }

  async probe(signal: AbortSignal): Promise<void> {
    await this.#http.send(
      {
        method: 'GET',
        url: this.#http.url(`${this.#accountPath}.json`),
        headers: { authorization: this.#auth },
      },
      signal,
    );
  }

  /** The account look-up needs valid credentials (20003); it cannot see an unverified From. */
  probeProves(error: ErrorInfo): boolean {
    return error.providerCode === '20003' || error.status === 401;
  }

  async #create(request: PlaceCallRequest, signal: AbortSignal): Promise<CallResource> {
    const form = new URLSearchParams({
      To: request.to,
      From: this.#from,
      Twiml: callTwiml(request),
    });
    const result = await this.#http.send(
      {
        method: 'POST',
        url: this.#http.url(`${this.#accountPath}/Calls.json`),
        headers: {
          authorization: this.#auth,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
      },
      signal,
    );
    const call = readCall(this.#http.json(result), false);
    if (!call) throw invalidAnswer(this.service, result.status, 'no call sid in the answer');
    return call;
  }

  /** After an ambiguous failure: the call if it exists, else the failure (safe to retry). */
  async #lookUpAfter(
    failure: unknown,
    to: string,
    since: number,
    signal: AbortSignal,
  ): Promise<PlacedCall> {
    let found: PlacedCall | undefined;
    try {
      found = (await this.findCalls(to, new Date(since), signal))[0];
    } catch (lookUpError) {
      if (signal.aborted) throw lookUpError;
      const first = failure instanceof Error ? failure.message : 'ambiguous failure';
      const second = lookUpError instanceof Error ? lookUpError.message : 'failed';
      throw new TransientServiceError(
        `${first}; call state unknown (look-up: ${second}), the next attempt looks up first`,
        { service: this.service, providerCode: 'call_state_unknown', cause: lookUpError },
      );
    }
    if (found) return this.#resolved(to, found);
    throw failure; // not placed; the number stays remembered in case the call shows up late
  }

  #lookUpFrom(request: PlaceCallRequest): number | undefined {
    const remembered = this.#unresolved.get(request.to);
    const asked = request.lookUpSince?.getTime();
    if (remembered === undefined) return asked;
    return asked === undefined ? remembered : Math.min(asked, remembered);
  }

  #resolved(to: string, call: PlacedCall): PlacedCall {
    this.#unresolved.resolve(to);
    return { callSid: call.callSid, status: call.status, foundExisting: call.foundExisting };
  }
}
