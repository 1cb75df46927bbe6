// A plain script using the engine on the real clock, as a library user writes one: nothing
// else holds the process open. `node --import tsx plain-script.ts <mode>`.
import {
  createServicePolicy,
  HealthChecker,
  TransientServiceError,
} from '../../src/resilience/index.ts';

const mode = process.argv[2];
// long total and attempt deadlines: a timer left holding the process would keep it for 10 minutes
const policy = createServicePolicy('demo', {
  retry: { max_retries: 1, initial_delay: 0.05, backoff_factor: 2, jitter: 'none' },
  circuit_breaker: { failure_threshold: 2, recovery_timeout: 600 },
  timeout: { attempt: mode === 'attempt-timeout' ? 0.05 : 600, total: 600 },
});

if (mode === 'retry') {
  let attempts = 0;
  const answer = await policy.execute(async () => {
    if (attempts++ === 0) throw new TransientServiceError('503', { service: 'demo' });
    return `answered after ${attempts - 1} retry`;
  });
  console.log(answer);
} else if (mode === 'attempt-timeout') {
  // an attempt that never answers and does no I/O: only the attempt's deadline can end it
  const outcome = await policy
    .execute(() => new Promise<never>(() => undefined))
    .catch((error: unknown) => error);
  console.log(`ended with ${(outcome as { code?: string }).code}`);
} else if (mode === 'background') {
  // background work never holds the process: this script ends at once
  const health = new HealthChecker({ interval: 3_600 });
  health.register('demo', async () => undefined);
  health.start();
  console.log('health checker started');
} else {
  throw new Error(`unknown mode ${mode}`);
}
