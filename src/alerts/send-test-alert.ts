import { randomUUID } from 'node:crypto';
import { describeError, systemClock, type Clock } from '../resilience/index.ts';
import type { Alert } from './alert.ts';
import type { AlertChannel } from './channels/channel.ts';
import { createRedactor } from '../redaction/redact.ts';

export interface TestAlertResult {
  channel: string;
  ok: boolean;
  /** Why it failed (no secret in it). */
  error?: string;
  /** `transient`, `permanent/service` …: whether trying again could help. */
  errorClass?: string;
}

export interface TestAlertOptions {
  clock?: Clock;
  /** Per channel. */
  timeoutMs?: number;
}

/**
 * Sends one test alert to every channel at once (whatever its minimum severity, with no
 * retry) and reports each outcome: what `call-agent alert-test` prints.
 */
export async function sendTestAlert(
  channels: readonly AlertChannel[],
  options: TestAlertOptions = {},
): Promise<TestAlertResult[]> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const alert: Alert = {
    id: `alert_${randomUUID()}`,
    kind: 'test',
    severity: 'info',
    service: 'call-agent',
    errorType: undefined,
    message: 'Test alert from call-agent alert-test: this channel works.',
    timestamp: clock.now(),
    count: 1,
    summary: false,
    windowMs: 0,
  };
  return Promise.all(
    channels.map(async (channel): Promise<TestAlertResult> => {
      const controller = new AbortController();
      const timer = clock.setTimer(
        () => controller.abort(new Error(`${channel.name}: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      try {
        await channel.send(alert, controller.signal);
        return { channel: channel.name, ok: true };
      } catch (error) {
        const info = describeError(error);
        const sanitize = createRedactor(channel.secrets);
        return {
          channel: channel.name,
          ok: false,
          error: sanitize(info.message),
          errorClass: info.errorClass,
        };
      } finally {
        timer.clear();
      }
    }),
  );
}
