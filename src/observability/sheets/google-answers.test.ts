import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyError, VirtualClock } from '../../resilience/index.ts';
import { useTestServiceAccount } from './fake-google.test-support.ts';
import { SheetsClient } from './sheets-client.ts';
import { ServiceAccountTokenSource } from './token-source.ts';

/** A proxy that answers 200 with an HTML page to everything. */
async function htmlProxy(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Hi</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A server that answers 200 and closes the connection halfway through the JSON body. */
async function cutMidBody(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    const body = JSON.stringify({ access_token: 'ya29.token', expires_in: 3600, values: [['a']] });
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(body.length),
    });
    response.write(body.slice(0, 10), () => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const account = useTestServiceAccount('google-answers-');
let proxy: { url: string; server: Server } | undefined;
afterEach(async () => {
  await new Promise((resolve) => proxy?.server.close(resolve));
  proxy = undefined;
});

describe('a Google answer of 200 that is not JSON', () => {
  it('from the token endpoint is a transient failure, not a bug of ours', async () => {
    proxy = await htmlProxy();
    const tokens = new ServiceAccountTokenSource({
      key: {
        client_email: 'logs@p.iam.gserviceaccount.com',
        private_key: account.privatePem,
        token_uri: `${proxy.url}/token`,
      },
      clock: new VirtualClock(),
    });
    const error = await tokens.getToken(new AbortController().signal).catch((e: unknown) => e);
    expect(classifyError(error)).toBe('transient');
    expect(String(error)).toContain('not JSON');
  });

  it('from the Sheets API is a transient failure, not a bug of ours', async () => {
    proxy = await htmlProxy();
    const client = new SheetsClient({
      spreadsheetId: 'sheet-1',
      baseUrl: proxy.url,
      tokens: { getToken: async () => 'token', invalidate: () => undefined },
    });
    const error = await client
      .readColumn('Logs!I:I', new AbortController().signal)
      .catch((e: unknown) => e);
    expect(classifyError(error)).toBe('transient');
  });
});

describe('a Google answer cut off in the middle of its body', () => {
  it('from the token endpoint is a transient failure, not a bug of ours', async () => {
    proxy = await cutMidBody();
    const tokens = new ServiceAccountTokenSource({
      key: {
        client_email: 'logs@p.iam.gserviceaccount.com',
        private_key: account.privatePem,
        token_uri: `${proxy.url}/token`,
      },
      clock: new VirtualClock(),
    });
    const error = await tokens.getToken(new AbortController().signal).catch((e: unknown) => e);
    expect(classifyError(error)).toBe('transient');
    expect(error).toMatchObject({ service: 'GoogleSheets OAuth', providerCode: 'UND_ERR_SOCKET' });
  });

  it('from the Sheets API is a transient failure, not a bug of ours', async () => {
    proxy = await cutMidBody();
    const client = new SheetsClient({
      spreadsheetId: 'sheet-1',
      baseUrl: proxy.url,
      tokens: { getToken: async () => 'token', invalidate: () => undefined },
    });
    const error = await client
      .readColumn('Logs!I:I', new AbortController().signal)
      .catch((e: unknown) => e);
    expect(classifyError(error)).toBe('transient');
    expect(error).toMatchObject({ service: 'GoogleSheets', providerCode: 'UND_ERR_SOCKET' });
  });
});
