import { fleetLimitsForService, policyForService, type AppConfig } from '../config.ts';
import { Fleet, redisLocation, type FleetLogLevel, type ServiceLimits } from '../fleet/index.ts';
import type { Clock } from '../resilience/index.ts';
import type { RetryBudgetOptions } from '../resilience/retry-budget.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Where the fleet's Redis is: REDIS_URL, else a Redis on this machine. */
export function redisUrlFrom(env: Env): string {
  return env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
}

/**
 * Where a command finds the fleet's queue: REDIS_URL, the keys' prefix (braces included), and
 * how the queue is named to the operator (`redis://127.0.0.1:6379 {call-agent}`, no password).
 */
export function fleetQueueAddress(
  config: AppConfig,
  env: Env,
): { url: string; prefix: string; where: string } {
  const url = redisUrlFrom(env);
  const prefix = `{${config.fleet.key_prefix}}`;
  return { url, prefix, where: `${redisLocation(url)} ${prefix}` };
}

/** Past a trial's own bound, how long its permit (or an attempt's) outlives it. */
const PERMIT_MARGIN_MS = 5_000;

export interface FleetFromConfigOptions {
  config: AppConfig;
  env: Env;
  clock: Clock;
  workerId: string;
  log: (level: FleetLogLevel, message: string, event: string) => void;
  /** Stops waiting for a Redis that does not answer. */
  signal?: AbortSignal | undefined;
}

/** Joins the fleet the configuration and REDIS_URL describe. */
export function openFleet(options: FleetFromConfigOptions): Promise<Fleet> {
  const { config } = options;
  const policy = (service: string) => policyForService(config, service);
  const attemptMs = (service: string): number => (policy(service).timeout?.attempt ?? 30) * 1000;
  return Fleet.open({
    url: redisUrlFrom(options.env),
    prefix: config.fleet.key_prefix,
    workerId: options.workerId,
    clock: options.clock,
    limits: (service) => limitsOf(config, service),
    // a trial lasts at most the breaker's half-open bound (see ServicePolicy)
    trialTtlMs: (service) =>
      Math.max(
        policy(service).circuit_breaker.recovery_timeout * 1000,
        attemptMs(service) + 1_000,
      ) + PERMIT_MARGIN_MS,
    permitTtlMs: (service) => attemptMs(service) + PERMIT_MARGIN_MS,
    retryBudget: (service) => budgetOf(policy(service).retry.budget),
    healthIntervalMs: config.health_check.interval * 1000,
    replicasBeforeCall: config.fleet.replicas_before_call,
    log: options.log,
    signal: options.signal,
  });
}

/** How the fleet's queue is opened for a worker of this configuration. */
export function fleetQueueOptions(config: AppConfig) {
  return {
    maxFailedAttempts: config.queue.max_failed_attempts,
    replicasBeforeCall: config.fleet.replicas_before_call,
    replicaTimeoutMs: config.fleet.replica_timeout * 1000,
  };
}

function limitsOf(config: AppConfig, service: string): ServiceLimits | undefined {
  const limits = fleetLimitsForService(config, service);
  if (!limits) return undefined;
  const { max_concurrent: maxConcurrent, rate } = limits;
  return {
    maxConcurrent,
    rate: rate && { requests: rate.requests, perMs: rate.per * 1000 },
  };
}

function budgetOf(
  budget: AppConfig['retry']['budget'] | undefined,
): RetryBudgetOptions | undefined {
  if (budget === false) return undefined;
  const options: RetryBudgetOptions = {};
  if (budget?.max_tokens !== undefined) options.maxTokens = budget.max_tokens;
  if (budget?.token_ratio !== undefined) options.tokenRatio = budget.token_ratio;
  if (budget?.refill_per_second !== undefined) options.refillPerSecond = budget.refill_per_second;
  return options;
}
