import { MAX_TIMER_MS } from './resilience/clock.ts';

/** Node's longest timer (2^31 − 1 ms) in whole seconds, about 24.8 days: no duration is longer. */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
