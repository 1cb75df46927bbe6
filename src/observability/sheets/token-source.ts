import { systemClock, type Clock } from '../../resilience/index.ts';
import { classifyNetworkError } from '../../http-errors/classify-network.ts';
import { googleHttpError, googleJson } from './http-errors.ts';
import { signServiceAccountJwt, type ServiceAccountKey } from './service-account.ts';

/** Hands out OAuth access tokens. */
export interface TokenSource {
  getToken(signal: AbortSignal): Promise<string>;
  /** Forgets the cached token (after a 401). */
  invalidate(): void;
}

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

export interface ServiceAccountTokenSourceOptions {
  key: ServiceAccountKey;
  scope?: string;
  clock?: Clock;
  fetch?: typeof fetch;
  /** A cached token is replaced this long before it expires. */
  refreshMarginMs?: number;
  /** Lifetime asked for in the assertion (Google allows at most 3600 s). */
  lifetimeSec?: number;
  /** Name in errors. */
  service?: string;
}

export const tokenSourceDefaults = {
  scope: SHEETS_SCOPE,
  clock: systemClock as Clock,
  refreshMarginMs: 60_000,
  lifetimeSec: 3600,
  service: 'GoogleSheets',
};

/**
 * The service-account flow: a JWT signed with the account's key is exchanged at the key's
 * `token_uri` (grant type `urn:ietf:params:oauth:grant-type:jwt-bearer`) for an access
 * token, cached until `refreshMarginMs` before it expires.
 */
export class ServiceAccountTokenSource implements TokenSource {
  readonly #options: Required<Omit<ServiceAccountTokenSourceOptions, 'fetch'>>;
  readonly #fetch: typeof fetch;
  #token: { value: string; refreshAt: number } | undefined;

  constructor(options: ServiceAccountTokenSourceOptions) {
    this.#options = { ...tokenSourceDefaults, ...options };
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async getToken(signal: AbortSignal): Promise<string> {
    const { clock } = this.#options;
    if (this.#token && clock.now() < this.#token.refreshAt) return this.#token.value;
    const { key, scope, lifetimeSec, refreshMarginMs, service } = this.#options;
    const assertion = signServiceAccountJwt(key, { scope, nowMs: clock.now(), lifetimeSec });
    const body = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    });
    // not "… token:": the redactor would take what follows for a token's value
    const oauth = `${service} OAuth`;
    let response: Response;
    try {
      response = await this.#fetch(key.token_uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal,
      });
    } catch (error) {
      throw signal.aborted ? signal.reason : classifyNetworkError(oauth, error, [assertion]);
    }
    if (!response.ok) {
      throw await googleHttpError(oauth, response, clock.now(), [assertion]);
    }
    const data = (await googleJson(oauth, response, signal, [assertion])) as {
      access_token?: unknown;
      expires_in?: unknown;
    } | null;
    if (typeof data?.access_token !== 'string') {
      throw await googleHttpError(oauth, new Response('{}', { status: 502 }), 0);
    }
    const expiresInMs = (typeof data.expires_in === 'number' ? data.expires_in : 3600) * 1000;
    this.#token = {
      value: data.access_token,
      refreshAt: clock.now() + Math.max(0, expiresInMs - refreshMarginMs),
    };
    return data.access_token;
  }

  invalidate(): void {
    this.#token = undefined;
  }
}
