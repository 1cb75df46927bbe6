import { describe, expect, it } from 'vitest';
import { isCircuitOpenError, PermanentServiceError, TransientServiceError } from './errors.ts';
import { setup } from './policy-harness.test-support.ts';

const down = new TransientServiceError('503', { service: 'tts', status: 503 });
const failing = async (): Promise<string> => {
  throw down;
};

describe('execute with a fallback', () => {
  it('answers with the value once the retries are spent, and still reports the failure', async () => {
    const { policy, events, drive } = setup();
    const answer = await drive(policy.execute(failing, { fallback: { value: 'no quote' } }));
    expect(answer).toBe('no quote');
    expect(events.failed).toMatchObject([{ gaveUp: 'retries_exhausted', retryCount: 3 }]);
  });

  it('answers a refused call with what the function makes of the error', async () => {
    const { policy, drive, trip } = setup();
    trip();
    const seen: unknown[] = [];
    const answer = await drive(
      policy.execute(failing, {
        fallback: { run: async (error) => (seen.push(error), 'cached quote') },
      }),
    );
    expect(answer).toBe('cached quote');
    expect(seen).toHaveLength(1);
    expect(isCircuitOpenError(seen[0])).toBe(true);
  });

  it('falls back only on the errors `when` accepts; the others reject as before', async () => {
    const { policy, drive, trip } = setup({
      retry: { maxRetries: 0, initialDelayMs: 0, backoffFactor: 2 },
    });
    const fallback = { when: isCircuitOpenError, value: 'later' };
    expect(await drive(policy.execute(failing, { fallback }))).toBe(down);
    trip();
    expect(await drive(policy.execute(failing, { fallback }))).toBe('later');
  });

  it('a call its caller cancelled and a bug are not papered over by default', async () => {
    const { policy, drive } = setup();
    const controller = new AbortController();
    const cancelled = policy.execute(failing, {
      signal: controller.signal,
      fallback: { value: 'no quote' },
    });
    controller.abort(new Error('stop'));
    expect(await drive(cancelled)).toMatchObject({ message: 'stop' });
    const bug = new TypeError("Cannot read properties of undefined (reading 'text')");
    const buggy = policy.execute(
      async () => {
        throw bug;
      },
      { fallback: { value: 'no quote' } },
    );
    expect(await drive(buggy)).toBe(bug);
  });

  it('a fallback that fails rejects with its own error', async () => {
    const { policy, drive } = setup();
    const broken = new PermanentServiceError('cache gone', { service: 'cache', scope: 'service' });
    const outcome = policy.execute(failing, {
      fallback: {
        run: () => {
          throw broken;
        },
      },
    });
    expect(await drive(outcome)).toBe(broken);
  });

  it('without a fallback the type is the function’s; with one, the union', async () => {
    const { policy, drive } = setup();
    const plain: Promise<number> = policy.execute(async () => 1);
    const either: Promise<number | null> = policy.execute(async () => 1, {
      fallback: { value: null },
    });
    expect(await drive(plain)).toBe(1);
    expect(await drive(either)).toBe(1);
  });
});
