import { systemClock, type Clock } from '../../resilience/index.ts';
import { classifyNetworkError } from '../../http-errors/classify-network.ts';
import { googleHttpError, googleJson } from './http-errors.ts';
import type { SheetValue } from './sheet-row.ts';
import type { TokenSource } from './token-source.ts';

export interface SheetsClientOptions {
  spreadsheetId: string;
  /** GOOGLE_SHEETS_BASE_URL; may carry a path prefix. */
  baseUrl?: string;
  tokens: TokenSource;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Name in errors. */
  service?: string;
}

export const sheetsClientDefaults = {
  baseUrl: 'https://sheets.googleapis.com',
  clock: systemClock as Clock,
  service: 'GoogleSheets',
};

/** The two Sheets API calls the sink needs, as plain fetches. */
export class SheetsClient {
  readonly #options: Required<Omit<SheetsClientOptions, 'fetch'>>;
  readonly #fetch: typeof fetch;

  constructor(options: SheetsClientOptions) {
    this.#options = { ...sheetsClientDefaults, ...options };
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  #url(range: string, suffix: string): string {
    const base = this.#options.baseUrl.replace(/\/+$/, '');
    const id = encodeURIComponent(this.#options.spreadsheetId);
    return `${base}/v4/spreadsheets/${id}/values/${encodeURIComponent(range)}${suffix}`;
  }

  /** `POST …/values/{range}:append?valueInputOption=RAW`. Not idempotent. */
  async append(range: string, rows: SheetValue[][], signal: AbortSignal): Promise<void> {
    const response = await this.#request(
      this.#url(range, ':append?valueInputOption=RAW'),
      { method: 'POST', body: JSON.stringify({ majorDimension: 'ROWS', values: rows }) },
      signal,
    );
    await response.body?.cancel();
  }

  /** `GET …/values/{range}?majorDimension=COLUMNS`: the cells of the range's first column. */
  async readColumn(range: string, signal: AbortSignal): Promise<string[]> {
    const response = await this.#request(
      this.#url(range, '?majorDimension=COLUMNS'),
      { method: 'GET' },
      signal,
    );
    const data = (await googleJson(this.#options.service, response, signal)) as {
      values?: unknown[][];
    } | null;
    return (data?.values?.[0] ?? []).map(String);
  }

  async #request(
    url: string,
    init: { method: string; body?: string },
    signal: AbortSignal,
  ): Promise<Response> {
    const { tokens, service, clock } = this.#options;
    const token = await tokens.getToken(signal);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        signal,
      });
    } catch (error) {
      throw signal.aborted ? signal.reason : classifyNetworkError(service, error, [token]);
    }
    if (response.status === 401) tokens.invalidate();
    if (!response.ok) throw await googleHttpError(service, response, clock.now(), [token]);
    return response;
  }
}
