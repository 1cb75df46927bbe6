import { describe, expect, it } from 'vitest';
import { isTimeoutError, TransientServiceError, VirtualClock } from '../../resilience/index.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from '../mock/in-process-client.ts';
import { MockProviders } from '../mock/mock-providers.ts';
import type { HttpClient, HttpRequest, HttpResult } from './http-client.ts';
import { requestWithDeadline, type DeadlineTransport } from './request-with-deadline.ts';

/** OpenAI's transport over `client`: 1 s to the first byte, 5 s in total. */
function deadlineTransport(clock: VirtualClock, client: HttpClient): DeadlineTransport {
  return { client, clock, service: 'OpenAI', ttfbMs: 1_000, totalMs: 5_000, secrets: [] };
}

function setup(faults: string[]) {
  const clock = new VirtualClock();
  const mock = new MockProviders({ clock, faults: { openai: { probeScript: faults } } });
  const transport = deadlineTransport(clock, createInProcessClient(mock));
  const request: HttpRequest = {
    method: 'GET',
    url: `${mock.baseUrls(IN_PROCESS_ORIGIN).openai}/models`,
    headers: { authorization: 'Bearer k' },
  };
  return { clock, transport, request };
}

describe('requestWithDeadline', () => {
  it('returns the whole answer and leaves no timer behind', async () => {
    const { clock, transport, request } = setup([]);
    const result = await requestWithDeadline(transport, request, new AbortController().signal);
    expect(result.status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(result.body))).toMatchObject({ object: 'list' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('gives up with a TimeoutError when the first byte is late', async () => {
    const { clock, transport, request } = setup(['slow:60000']);
    const outcome = requestWithDeadline(transport, request, new AbortController().signal).catch(
      (e: unknown) => e,
    );
    await clock.advance(999);
    let settled = false;
    void outcome.then(() => (settled = true));
    await clock.advance(0);
    expect(settled).toBe(false);
    await clock.advance(1);
    const error = await outcome;
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ scope: 'attempt' });
    expect((error as Error).message).toBe('no response within 1000 ms');
    expect(clock.pendingTimers).toBe(0); // the mock's slow answer was aborted too
  });

  it('gives up when the total deadline passes first', async () => {
    const { clock, transport, request } = setup(['slow:60000']);
    const outcome = requestWithDeadline(
      { ...transport, ttfbMs: 10_000, totalMs: 2_000 },
      request,
      new AbortController().signal,
    ).catch((e: unknown) => e);
    await clock.advance(2_000);
    expect(((await outcome) as Error).message).toBe('response not complete within 2000 ms');
  });

  it("rethrows the caller's abort reason, not a timeout", async () => {
    const { clock, transport, request } = setup(['slow:60000']);
    const controller = new AbortController();
    const outcome = requestWithDeadline(transport, request, controller.signal).catch(
      (e: unknown) => e,
    );
    await clock.advance(100);
    const reason = new Error('shutting down');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses at once when the signal is already aborted', async () => {
    const { transport, request } = setup([]);
    const reason = new Error('gone');
    await expect(requestWithDeadline(transport, request, AbortSignal.abort(reason))).rejects.toBe(
      reason,
    );
  });

  it('turns a reset connection into a transient error', async () => {
    const { transport, request } = setup(['reset']);
    const error = await requestWithDeadline(transport, request, new AbortController().signal).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransientServiceError);
    expect((error as TransientServiceError).providerCode).toBe('UND_ERR_SOCKET');
  });
});

describe('requestWithDeadline with headers first and the body later', () => {
  /**
   * Sends one request through a client whose headers arrive after `headersMs` and its body
   * after `bodyMs` (virtual), then moves the clock by `advanceMs`.
   */
  async function slowBody(headersMs: number, bodyMs: number, advanceMs: number) {
    const clock = new VirtualClock();
    const client: HttpClient = async (_request, signal, onHeaders) => {
      await clock.sleep(headersMs, signal);
      onHeaders?.();
      await clock.sleep(bodyMs - headersMs, signal);
      return { status: 200, headers: {}, body: Buffer.from('{}') };
    };
    const request: HttpRequest = { method: 'GET', url: 'http://provider.test/x', headers: {} };
    const outcome = requestWithDeadline(
      deadlineTransport(clock, client),
      request,
      new AbortController().signal,
    ).catch((e: unknown) => e);
    await clock.advance(advanceMs);
    return { clock, outcome: await outcome };
  }

  it('stops the first-byte deadline at the headers: a body past it but within the total is fine', async () => {
    const { clock, outcome } = await slowBody(500, 3_000, 3_000);
    expect((outcome as HttpResult).status).toBe(200);
    expect(clock.pendingTimers).toBe(0);
  });

  it('gives up at the total deadline when the body drags on after the headers', async () => {
    const { clock, outcome } = await slowBody(500, 60_000, 5_000);
    expect((outcome as Error).message).toBe('response not complete within 5000 ms');
    expect(clock.pendingTimers).toBe(0);
  });
});
