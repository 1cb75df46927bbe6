import type { ErrorInfo } from '../../resilience/index.ts';
import { isRecord, stringField } from '../http/json.ts';
import { invalidAnswer, ProviderHttp, type HttpOptions } from '../http/provider-http.ts';
import type { CallRecord, Crm } from '../ports.ts';
import { callProperties } from './call-properties.ts';

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
};

/** The CRM port over HubSpot's calls object (`POST /crm/v3/objects/calls`). */
export class HubSpotCrm implements Crm {
  readonly service: string;
  readonly #http: ProviderHttp;
  readonly #headers: Record<string, string>;

  constructor(options: HubSpotCrmOptions) {
    const baseUrl = options.baseUrl ?? hubSpotDefaults.baseUrl;
    this.service = options.service ?? hubSpotDefaults.service;
    this.#headers = { authorization: `Bearer ${options.accessToken}` };
    this.#http = new ProviderHttp('hubspot', this.service, baseUrl, [options.accessToken], options);
  }

  async recordCall(record: CallRecord, signal: AbortSignal): Promise<{ id: string }> {
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
