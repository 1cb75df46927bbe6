import type { Redis } from 'ioredis';
import { LuaScript } from '../queue/redis/lua-script.ts';
import type { Clock, TimerHandle } from '../resilience/index.ts';
// the engine's own budget, extended to count fleet-wide (the project's code, not a library user)
import {
  RetryBudget,
  retryBudgetDefaults,
  type RetryBudgetOptions,
} from '../resilience/retry-budget.ts';
import type { FleetLink } from './fleet-link.ts';

/**
 * ARGV: prefix, name, max tokens, token ratio, refill per ms, calls, retries. Adds what the
 * calls earned and the time refilled, takes what the retries spent, on Redis's clock.
 * Returns the tokens left (as text: they are fractional).
 */
const settleScript = new LuaScript(`#!lua
local key = ARGV[1] .. ':budget:' .. ARGV[2]
local max, ratio, refill = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('HMGET', key, 'tokens', 'at')
local tokens, at = tonumber(v[1] or max), tonumber(v[2] or now)
tokens = math.min(max, tokens + math.max(0, now - at) * refill + tonumber(ARGV[6]) * ratio)
tokens = math.max(0, tokens - tonumber(ARGV[7]))
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', key, 86400000)
return tostring(tokens)
`);

export interface FleetRetryBudgetOptions extends RetryBudgetOptions {
  redis: Redis;
  prefix: string;
  link: FleetLink;
  clock: Clock;
  /** The budget's name in Redis (the service's). */
  name: string;
  /** How often what this worker spent and earned is settled with the fleet's count. */
  settleEveryMs?: number;
}

/**
 * The engine's retry budget, counted by the whole fleet: a worker decides at once from the
 * fleet's tokens as it last read them, and settles what it spent and earned every
 * `settleEveryMs`, so twenty workers retrying into a dead service share one budget. While
 * Redis is unreachable it counts alone (the engine's local budget).
 */
export class FleetRetryBudget extends RetryBudget {
  readonly #options: FleetRetryBudgetOptions & {
    maxTokens: number;
    tokenRatio: number;
    refillPerSecond: number;
    settleEveryMs: number;
  };
  /** The fleet's tokens as last read, less what this worker spent since. */
  #view: number;
  #calls = 0;
  #retries = 0;
  #timer: TimerHandle | undefined;

  constructor(options: FleetRetryBudgetOptions) {
    super(options);
    this.#options = { ...retryBudgetDefaults, settleEveryMs: 100, ...options };
    this.#view = this.#options.maxTokens;
  }

  override get tokens(): number {
    return this.#options.link.connected ? this.#view : super.tokens;
  }

  override recordCall(): void {
    super.recordCall();
    const { maxTokens, tokenRatio } = this.#options;
    this.#view = Math.min(maxTokens, this.#view + tokenRatio);
    this.#calls++;
    this.#settleSoon();
  }

  override tryWithdraw(): boolean {
    if (!this.#options.link.connected) return super.tryWithdraw();
    if (this.#view < 1) return false;
    this.#view -= 1;
    this.#retries++;
    this.#settleSoon();
    return true;
  }

  #settleSoon(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#options.clock.setTimer(() => {
      this.#timer = undefined;
      void this.#settle();
    }, this.#options.settleEveryMs);
  }

  async #settle(): Promise<void> {
    const { redis, prefix, name, maxTokens, tokenRatio, refillPerSecond, link } = this.#options;
    const [calls, retries] = [this.#calls, this.#retries];
    this.#calls = 0;
    this.#retries = 0;
    try {
      const args = [prefix, name, maxTokens, tokenRatio, refillPerSecond / 1000, calls, retries];
      const tokens = Number(await settleScript.run(redis, args));
      // what was spent while the answer travelled stays spent
      this.#view = Math.max(0, tokens - this.#retries);
    } catch (error) {
      link.reportFailure(error);
    }
  }
}
