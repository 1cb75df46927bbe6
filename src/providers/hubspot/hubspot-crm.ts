import { isPermanentError, type ErrorInfo } from '../../resilience/index.ts';
import { isRecord, stringField } from '../http/json.ts';
import { isAmbiguous } from '../http/ambiguous.ts';
import { UnresolvedWrites } from '../http/unresolved-writes.ts';
import { invalidAnswer, ProviderHttp, type HttpOptions } from '../http/provider-http.ts';
import type { CallRecord, Crm, RecordCallOptions } from '../ports.ts';
import { callProperties, EXTERNAL_ID } from './call-properties.ts';

export interface HubSpotCrmOptions extends HttpOptions {
  /** Default `https://api.hubapi.com`; may carry a gateway path. */
  baseUrl?: string | undefined;
  /** A private app's access token. */
  accessToken: string;
  /** Default `HubSpot`. */
  service?: string | undefined;
}

export const hubSpotDefaults = {
  baseUrl: 'https://api.hubapi.com',
  service: 'HubSpot',
  /** Call SIDs whose write's fate is unknown, kept at most (the oldest is forgotten). */
  maxUnresolved: 1_000,
};

/**
 * The CRM port over HubSpot's calls object (`POST /crm/v3/objects/calls`). Each record
 * carries its call SID as `hs_call_external_id`; a record that may exist already is searched
 * for by it (`POST /crm/v3/objects/calls/search`) before it is written.
 */
export class HubSpotCrm implements Crm {
  readonly service: string;
  readonly #http: ProviderHttp;
  /** Call SIDs whose last write may have been processed although no answer said so. */
  readonly #unresolved = new UnresolvedWrites<true>(hubSpotDefaults.maxUnresolved);
  readonly #headers: Record<string, string>;

  constructor(options: HubSpotCrmOptions) {
    const baseUrl = options.baseUrl ?? hubSpotDefaults.baseUrl;
    this.service = options.service ?? hubSpotDefaults.service;
    this.#headers = { authorization: `Bearer ${options.accessToken}` };
    this.#http = new ProviderHttp('hubspot', this.service, baseUrl, [options.accessToken], options);
  }

  async recordCall(
    record: CallRecord,
    signal: AbortSignal,
    options: RecordCallOptions = {},
  ): Promise<{ id: string }> {
    const sid = record.callSid;
    if (sid !== '' && (options.lookUpFirst === true || this.#unresolved.has(sid))) {
      const found = await this.#find(sid, signal).catch((error: unknown) => {
        // a search refused as a bad request (a gateway without the route, a filter the account
        // refuses) says nothing of the record: it is written, where refusing it would lose it
        if (isPermanentError(error) && error.scope === 'request') return undefined;
        throw error;
      });
      if (found) {
        this.#unresolved.resolve(sid);
        return found;
      }
    }
    try {
      const created = await this.#create(record, signal);
      this.#unresolved.resolve(sid);
      return created;
    } catch (error) {
      // the next attempt (or the outbox) searches before it writes again
      if (sid !== '' && (signal.aborted || isAmbiguous(error)))
        this.#unresolved.remember(sid, true);
      throw error;
    }
  }

  async #create(record: CallRecord, signal: AbortSignal): Promise<{ id: string }> {
    const result = await this.#http.send(
      {
        method: 'POST',
        url: this.#http.url('/crm/v3/objects/calls'),
        headers: { ...this.#headers, 'content-type': 'application/json' },
        body: JSON.stringify({ properties: callProperties(record) }),
      },
      signal,
    );
    const body = this.#http.json(result);
    const id = isRecord(body) ? stringField(body.id) : undefined;
    if (!id) throw invalidAnswer(this.service, result.status, 'no id in the answer');
    return { id };
  }

  /** The record of this call, if HubSpot has one (its search index may lag a few seconds). */
  async #find(callSid: string, signal: AbortSignal): Promise<{ id: string } | undefined> {
    const filter = { propertyName: EXTERNAL_ID, operator: 'EQ', value: callSid };
    const result = await this.#http.send(
      {
        method: 'POST',
        url: this.#http.url('/crm/v3/objects/calls/search'),
        headers: { ...this.#headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          filterGroups: [{ filters: [filter] }],
          properties: [EXTERNAL_ID],
          limit: 1,
        }),
      },
      signal,
    );
    const body = this.#http.json(result);
    const results = isRecord(body) ? body.results : undefined;
    if (!Array.isArray(results)) {
      throw invalidAnswer(this.service, result.status, 'no results in the search answer');
    }
    const first: unknown = results[0];
    const id = isRecord(first) ? stringField(first.id) : undefined;
    return id === undefined ? undefined : { id };
  }

  async probe(signal: AbortSignal): Promise<void> {
    await this.#http.send(
      {
        method: 'GET',
        url: this.#http.url('/crm/v3/objects/calls', { limit: '1' }),
        headers: this.#headers,
      },
      signal,
    );
  }
  /** Listing calls needs a valid token and counts against the daily limit it may have hit. */
  probeProves(error: ErrorInfo): boolean {
    return error.status === 401 || error.providerCode === 'DAILY';
  }
}
