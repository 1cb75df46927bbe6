import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TransientServiceError } from '../resilience/index.ts';
import { classifyNetworkError, wasNeverSent } from './classify-network.ts';

const fetchFailed = (code: string, message = code): TypeError =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('classifyNetworkError', () => {
  it.each([
    ['ECONNREFUSED', 'connection refused (ECONNREFUSED)', true],
    ['ECONNRESET', 'connection reset (ECONNRESET)', false],
    ['ENOTFOUND', 'DNS lookup failed (ENOTFOUND)', true],
    ['EAI_AGAIN', 'DNS lookup failed (EAI_AGAIN)', true],
    ['ETIMEDOUT', 'socket timeout (ETIMEDOUT)', false],
    ['UND_ERR_HEADERS_TIMEOUT', 'socket timeout (UND_ERR_HEADERS_TIMEOUT)', false],
    ['UND_ERR_SOCKET', 'connection closed by the server (UND_ERR_SOCKET)', false],
  ])("fetch's TypeError with cause %s → transient", (code, message, neverSent) => {
    const error = classifyNetworkError('Twilio', fetchFailed(code));
    expect(error).toBeInstanceOf(TransientServiceError);
    expect(error.message).toBe(message);
    expect(error.providerCode).toBe(code);
    expect(error.service).toBe('Twilio');
    expect(wasNeverSent(error)).toBe(neverSent);
  });

  it('classifies a real refused connection on loopback', async () => {
    const port = await closedPort();
    const raw = await fetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    const error = classifyNetworkError('HubSpot', raw);
    expect(error.errorClass).toBe('transient');
    expect(error.providerCode).toBe('ECONNREFUSED');
  });

  it('an error without a code is still transient', () => {
    expect(classifyNetworkError('X', new Error('boom')).errorClass).toBe('transient');
  });

  it('an invalid URL is a configuration fault, and its token-bearing message is not kept', async () => {
    const raw = await fetch(
      'http://api.telegram.org:99999/bot123456:SECRETtokenSECRETtokenSECRETtoken1/getMe',
    ).catch((error: unknown) => error);
    const error = classifyNetworkError('Telegram', raw);
    expect(error.errorClass).toBe('permanent/service');
    expect(
      JSON.stringify([error.message, String(error.cause), String((error.cause as Error).cause)]),
    ).not.toContain('SECRETtoken');
  });

  it('passes an already classified error through', () => {
    const classified = new TransientServiceError('503 Service Unavailable', { service: 'X' });
    expect(classifyNetworkError('Y', classified)).toBe(classified);
  });
});
