import { describe, expect, it, vi } from 'vitest';
import {
  BulkheadRejectedError,
  CircuitOpenError,
  classifyError,
  describeError,
  ErrorCode,
  isBulkheadRejectedError,
  isCircuitOpenError,
  isPermanentError,
  isPolicyDisposedError,
  isProgrammingError,
  isRetryable,
  isServiceError,
  isTimeoutError,
  isTransientError,
  PermanentServiceError,
  PolicyDisposedError,
  TimeoutError,
  TransientServiceError,
} from './errors.ts';

const BRAND = Symbol.for('ai-call-agent-resilience.error');

describe('error taxonomy', () => {
  const cause = new Error('socket hang up');
  const cases = [
    {
      error: new TransientServiceError('503', { service: 'tts', retryAfterMs: 1500, cause }),
      code: 'E_TRANSIENT',
      name: 'TransientServiceError',
      errorClass: 'transient',
      guard: isTransientError,
    },
    {
      error: new PermanentServiceError('bad key', { service: 'tts', scope: 'service', cause }),
      code: 'E_PERMANENT',
      name: 'PermanentServiceError',
      errorClass: 'permanent/service',
      guard: isPermanentError,
    },
    {
      error: new CircuitOpenError('open', { service: 'tts', retryAfterMs: 10_000, cause }),
      code: 'E_CIRCUIT_OPEN',
      name: 'CircuitOpenError',
      errorClass: 'circuit_open',
      guard: isCircuitOpenError,
    },
    {
      error: new TimeoutError('slow', { service: 'tts', scope: 'attempt', cause }),
      code: 'E_TIMEOUT',
      name: 'TimeoutError',
      errorClass: 'timeout',
      guard: isTimeoutError,
    },
    {
      error: new BulkheadRejectedError('full', { service: 'tts', cause }),
      code: 'E_BULKHEAD_REJECTED',
      name: 'BulkheadRejectedError',
      errorClass: 'bulkhead_rejected',
      guard: isBulkheadRejectedError,
    },
    {
      error: new PolicyDisposedError('disposed', { service: 'tts', cause }),
      code: 'E_POLICY_DISPOSED',
      name: 'PolicyDisposedError',
      errorClass: 'disposed',
      guard: isPolicyDisposedError,
    },
  ] as const;
  const guards = cases.map((c) => c.guard);

  it.each(cases)('$name carries a stable code, the service, the cause and its class', (c) => {
    expect(c.error.code).toBe(c.code);
    expect(c.error.name).toBe(c.name);
    expect(c.error.service).toBe('tts');
    expect(c.error.cause).toBe(cause);
    expect(c.error.errorClass).toBe(c.errorClass);
    expect(classifyError(c.error)).toBe(c.errorClass);
    expect(c.error).toBeInstanceOf(Error);
    expect(isServiceError(c.error)).toBe(true);
    // exactly one specific guard accepts it
    expect(guards.filter((g) => g(c.error))).toEqual([c.guard]);
  });

  it('keeps the retryAfterMs hint, the provider code and the status', () => {
    const e = new TransientServiceError('429', {
      service: 'llm',
      retryAfterMs: 2_000,
      providerCode: 'rate_limit_exceeded',
      status: 429,
    });
    expect(e.retryAfterMs).toBe(2_000);
    expect(e.providerCode).toBe('rate_limit_exceeded');
    expect(e.status).toBe(429);
    expect(new TransientServiceError('x', { service: 'llm' }).retryAfterMs).toBeUndefined();
  });

  it('the codes catalog lists exactly the codes the classes use', () => {
    expect(new Set(cases.map((c) => c.code))).toEqual(new Set(Object.values(ErrorCode)));
  });

  it('splits transient/concurrency and permanent/request', () => {
    const busy = new TransientServiceError('busy', { service: 'tts', concurrency: true });
    expect(busy.errorClass).toBe('transient/concurrency');
    expect(isTransientError(busy)).toBe(true);
    const bad = new PermanentServiceError('bad number', { service: 'tel', scope: 'request' });
    expect(bad.errorClass).toBe('permanent/request');
    expect(bad.scope).toBe('request');
  });

  it('only transient, timeout and foreign errors are retryable', () => {
    expect(isRetryable(new TransientServiceError('x', { service: 's' }))).toBe(true);
    expect(isRetryable(new TimeoutError('x', { service: 's', scope: 'attempt' }))).toBe(true);
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true);
    expect(isRetryable(new PermanentServiceError('x', { service: 's', scope: 'service' }))).toBe(
      false,
    );
    expect(isRetryable(new PermanentServiceError('x', { service: 's', scope: 'request' }))).toBe(
      false,
    );
    expect(isRetryable(new CircuitOpenError('x', { service: 's' }))).toBe(false);
    expect(isRetryable(new BulkheadRejectedError('x', { service: 's' }))).toBe(false);
  });

  it('guards reject foreign values', () => {
    for (const value of [new Error('x'), null, undefined, 'E_TRANSIENT', { code: 'E_TRANSIENT' }]) {
      expect(isServiceError(value)).toBe(false);
      expect(isTransientError(value)).toBe(false);
    }
  });

  it('recognizes a plain object carrying the brand (another copy of the package)', () => {
    const foreign = { [BRAND]: true, code: 'E_CIRCUIT_OPEN', service: 'crm', message: 'open' };
    expect(foreign instanceof CircuitOpenError).toBe(false);
    expect(isServiceError(foreign)).toBe(true);
    expect(isCircuitOpenError(foreign)).toBe(true);
    expect(isTransientError(foreign)).toBe(false);
  });

  it('recognizes errors built by a re-evaluated copy of the module', async () => {
    vi.resetModules();
    const other = await import('./errors.ts');
    expect(other.TransientServiceError).not.toBe(TransientServiceError);
    const e = new other.TransientServiceError('503', { service: 'tts' });
    expect(e instanceof TransientServiceError).toBe(false);
    expect(isTransientError(e)).toBe(true);
    expect(isRetryable(e)).toBe(true);
    const p = new other.PermanentServiceError('bad key', { service: 'tts', scope: 'service' });
    expect(isPermanentError(p)).toBe(true);
    expect(classifyError(p)).toBe('permanent/service');
    // and the other way round
    expect(other.isTimeoutError(new TimeoutError('t', { service: 's', scope: 'total' }))).toBe(
      true,
    );
  });

  it('describeError never exposes the cause', () => {
    const secret = 'sk-live-SECRET123';
    const e = new PermanentServiceError('401 invalid_api_key', {
      service: 'llm',
      scope: 'service',
      providerCode: 'invalid_api_key',
      status: 401,
      cause: new Error(`request with Authorization: Bearer ${secret}`),
    });
    const info = describeError(e);
    expect(info).toEqual({
      errorClass: 'permanent/service',
      code: 'E_PERMANENT',
      name: 'PermanentServiceError',
      message: '401 invalid_api_key',
      providerCode: 'invalid_api_key',
      status: 401,
    });
    expect(JSON.stringify(info)).not.toContain(secret);
  });

  it('describes foreign errors and thrown non-errors', () => {
    expect(describeError(new Error('boom'))).toEqual({
      errorClass: 'unknown',
      code: 'E_UNKNOWN',
      name: 'Error',
      message: 'boom',
    });
    expect(describeError('oops')).toMatchObject({ name: 'string', message: 'oops' });
  });
});

describe('programming errors', () => {
  const bugs = [
    new TypeError("Cannot read properties of undefined (reading 'id')"),
    new RangeError('Invalid array length'),
    new ReferenceError('voice is not defined'),
    new SyntaxError('Unexpected token < in JSON at position 0'),
  ];

  it.each(bugs)(
    '$name is a bug: classified apart, not retryable, described with its stack',
    (bug) => {
      expect(isProgrammingError(bug)).toBe(true);
      expect(classifyError(bug)).toBe('programming_error');
      expect(isRetryable(bug)).toBe(false);
      expect(describeError(bug)).toEqual({
        errorClass: 'programming_error',
        code: 'E_PROGRAMMING_ERROR',
        name: bug.name,
        message: bug.message,
        stack: bug.stack,
      });
    },
  );

  it('a TypeError whose cause carries a code is a network failure (fetch failed), not a bug', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), {
      code: 'ECONNREFUSED',
    });
    const fetchFailed = new TypeError('fetch failed', { cause: refused });
    expect(isProgrammingError(fetchFailed)).toBe(false);
    expect(classifyError(fetchFailed)).toBe('unknown');
    expect(isRetryable(fetchFailed)).toBe(true);
    expect(describeError(fetchFailed).stack).toBeUndefined();
  });

  it('only programming errors carry a stack', () => {
    expect(describeError(new Error('x'))).not.toHaveProperty('stack');
    const e = new TransientServiceError('503', { service: 'tts' });
    expect(describeError(e)).not.toHaveProperty('stack');
    expect(isProgrammingError(Object.assign(new Error('x'), { name: 'TypeError' }))).toBe(false);
  });
});

describe("a caller's own timeout (AbortSignal.timeout)", () => {
  it('is a timeout: the DOMException named TimeoutError it rejects with', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    const reason: unknown = signal.reason;
    expect(reason).toBeInstanceOf(DOMException);
    expect(isTimeoutError(reason)).toBe(true);
    expect(classifyError(reason)).toBe('timeout');
    expect(describeError(reason)).toMatchObject({
      errorClass: 'timeout',
      code: 'E_TIMEOUT',
      name: 'TimeoutError',
    });
  });

  it('an abort is not a timeout', () => {
    const controller = new AbortController();
    controller.abort();
    expect(isTimeoutError(controller.signal.reason)).toBe(false);
    expect(isTimeoutError(new DOMException('stopped', 'AbortError'))).toBe(false);
    expect(isTimeoutError(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe(false);
  });
});
