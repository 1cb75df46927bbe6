import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { isServiceError, type ErrorClass } from '../../resilience/index.ts';
import type { HealthProbed } from '../ports.ts';

/** Ways the contract suites make a provider fail. */
export type ContractFault =
  | 'transient'
  | 'rate-limited'
  | 'permanent-service'
  | 'permanent-request'
  | 'connection-reset'
  | 'garbage'
  /** TTS only: 200 with no audio. */
  | 'empty'
  /** Telephony only: the call is created, then the answer is lost. */
  | 'accepted-then-lost';

/** What a contract suite needs from the adapter under test and the server it talks to. */
export interface ContractHarness<A> {
  readonly adapter: A;
  /** Secrets the adapter holds: none may appear in any error. */
  readonly secrets: readonly string[];
  /** Makes the adapter's next operation (not a probe) fail this way. */
  failNext(fault: ContractFault): void | Promise<void>;
  /** Makes the next probe fail: a 503, or a bad key. */
  failNextProbe(fault: 'transient' | 'permanent-service'): void | Promise<void>;
  /** Back to a healthy provider with no state. */
  reset(): void | Promise<void>;
  close(): Promise<void>;
}

export type HarnessFactory<A> = () => Promise<ContractHarness<A>>;

/** The harness of the current suite, started once and reset before every test. */
export function useHarness<A>(setup: HarnessFactory<A>): () => ContractHarness<A> {
  let harness: ContractHarness<A> | undefined;
  beforeAll(async () => {
    harness = await setup();
  });
  beforeEach(async () => {
    await harness?.reset();
  });
  afterAll(async () => {
    await harness?.close();
  });
  return () => {
    if (!harness) throw new Error('contract harness not started');
    return harness;
  };
}

const live = (): AbortSignal => new AbortController().signal;

/** Every text an error exposes: message, stack, fields and causes. */
function exposedText(error: unknown, depth = 0): string {
  if (!(error instanceof Error) || depth > 4) return String(error);
  const fields = JSON.stringify({ ...error, message: error.message });
  return [error.message, error.stack ?? '', fields, exposedText(error.cause, depth + 1)].join('\n');
}

/** Asserts that nothing an error exposes holds one of the secrets. */
export function expectNoSecrets(error: unknown, secrets: readonly string[]): void {
  const text = exposedText(error);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** Runs `operation`, expects it to fail with an error of the taxonomy, and returns the error. */
export async function failure(operation: () => Promise<unknown>): Promise<unknown> {
  const error = await operation().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isServiceError(error), `expected a ServiceError, got ${String(error)}`).toBe(true);
  return error;
}

/**
 * What every port shares: probes, cancellation, classification of the common faults,
 * errors that name the service and hold no secret.
 */
export function describeCommonContract<A extends HealthProbed>(
  harness: () => ContractHarness<A>,
  operation: (adapter: A, signal: AbortSignal) => Promise<unknown>,
): void {
  const expectClass = async (fault: ContractFault, errorClass: ErrorClass): Promise<void> => {
    const h = harness();
    await h.failNext(fault);
    const error = await failure(() => operation(h.adapter, live()));
    expect(isServiceError(error) && error.errorClass).toBe(errorClass);
    expect(isServiceError(error) && error.service).toBe(h.adapter.service);
    expectNoSecrets(error, h.secrets);
  };

  it('has a display name', () => {
    expect(harness().adapter.service).toMatch(/\S/);
  });

  it('probe resolves while the service answers', async () => {
    await expect(harness().adapter.probe(live())).resolves.toBeUndefined();
  });

  it('probe rejects with a classified error when the service is down or the key is bad', async () => {
    const h = harness();
    await h.failNextProbe('transient');
    const down = await failure(() => h.adapter.probe(live()));
    expect(isServiceError(down) && down.errorClass).toBe('transient');
    await h.failNextProbe('permanent-service');
    const badKey = await failure(() => h.adapter.probe(live()));
    expect(isServiceError(badKey) && badKey.errorClass).toBe('permanent/service');
    expectNoSecrets(badKey, h.secrets);
  });

  it("rejects with the signal's reason when the signal is already aborted", async () => {
    const reason = new Error('cancelled before start');
    await expect(operation(harness().adapter, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it("rejects with the signal's reason when aborted in flight", async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled in flight');
    const pending = operation(harness().adapter, controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('a 5xx is transient', () => expectClass('transient', 'transient'));
  it('a rate limit is transient', () => expectClass('rate-limited', 'transient'));
  it('a bad key or exhausted quota is permanent for the service', () =>
    expectClass('permanent-service', 'permanent/service'));
  it('a bad request is permanent for the request only', () =>
    expectClass('permanent-request', 'permanent/request'));
  it('a reset connection is transient', () => expectClass('connection-reset', 'transient'));
  it('an unreadable success is transient, not a crash', () => expectClass('garbage', 'transient'));
}
