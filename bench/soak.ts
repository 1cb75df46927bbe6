/**
 * The soak (issue 10): a big campaign rides out an outage in real time. 30,000 contacts,
 * 50 in flight, against `call-agent mock-providers` in a child process over loopback HTTP,
 * every provider answering after 20 ms and failing ~10 % of the time (OpenAI 429 with
 * Retry-After, ElevenLabs connection resets, Twilio 503s, HubSpot slow answers), and
 * ElevenLabs down for 60 s once a third of the campaign is done. Prints what an operator
 * would watch: event-loop lag, memory along the run, WAL and log size, writes and log lines
 * per waiting contact, how long after the recovery the circuit closed, and calls per number.
 *
 *   npm run bench:soak                 # 30,000 contacts
 *   SOAK_CONTACTS=5000 npm run bench:soak
 *   SOAK_CONTACTS=3000 SOAK_CONCURRENCY=200 SOAK_OUTAGE_SECONDS=20 npm run bench:soak
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MemoryAudioStore } from '../src/agent/audio-store.ts';
import { createSession, runToEnd } from '../src/commands/campaign-session.ts';
import { createObservers } from '../src/commands/observers.ts';
import { parseConfig } from '../src/config.ts';
import { providersFromSettings, providerSettingsFromEnv } from '../src/providers/index.ts';
import { SqliteCallQueue, type ClaimedContact } from '../src/queue/index.ts';
import { createOutput } from '../src/redaction/output.ts';
import { systemClock } from '../src/resilience/index.ts';
import { BusyLag } from './busy-lag.ts';
import { startMockTransport } from './mock-transports.ts';

const CONTACTS = Number(process.env.SOAK_CONTACTS ?? 30_000);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 50);
const OUTAGE_MS = Number(process.env.SOAK_OUTAGE_SECONDS ?? 60) * 1_000;
const MILESTONES = [5_000, 15_000, 25_000].map((n) => Math.round((n / 30_000) * CONTACTS));

/** The real queue, counting the writes it is asked for. */
class CountingQueue extends SqliteCallQueue {
  writes = 0;
  override async claim(workerId: string, leaseMs: number): Promise<ClaimedContact | undefined> {
    const claimed = await super.claim(workerId, leaseMs);
    if (claimed) this.writes++;
    return claimed;
  }
  override async defer(...args: Parameters<SqliteCallQueue['defer']>) {
    this.writes++;
    return super.defer(...args);
  }
  override async checkpoint(...args: Parameters<SqliteCallQueue['checkpoint']>) {
    this.writes++;
    return super.checkpoint(...args);
  }
  override async complete(...args: Parameters<SqliteCallQueue['complete']>) {
    this.writes++;
    return super.complete(...args);
  }
  override async releaseWaiting(service?: string, limit?: number) {
    this.writes++;
    return super.releaseWaiting(service, limit);
  }
}

const mb = (bytes: number): number => Math.round(bytes / 1_048_576);
const ms = (ns: number): number => Math.round(ns / 1e6);

async function soak(): Promise<void> {
  const faulty = (errorFault: string) => ({ latencyMs: 20, errorRate: 0.1, errorFault });
  const transport = await startMockTransport('http-child', {
    seed: 7,
    openai: faulty('rate-limit:1'),
    elevenlabs: faulty('reset'),
    twilio: faulty('503'),
    hubspot: faulty('slow:300'),
  });
  const dir = mkdtempSync(join(tmpdir(), 'soak-'));
  const path = join(dir, 'queue.db');
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    // retries from 1 s (the seed's 5 s would make the faults, not the agent, set the pace)
    const config = parseConfig({
      bulkhead: { max_concurrent: CONCURRENCY },
      retry: { initial_delay: 1 },
    });
    const providers = providersFromSettings(providerSettingsFromEnv(transport.env), {
      clock: systemClock,
    });
    const queue = new CountingQueue({ path, clock: systemClock });
    let logBytes = 0;
    let logLines = 0;
    const counting = {
      write: (chunk: string) => {
        logBytes += Buffer.byteLength(chunk);
        logLines += chunk.split('\n').length - 1;
        return true;
      },
    };
    const observers = await createObservers({
      env: {},
      clock: systemClock,
      format: 'json',
      sheetsSpillPath: join(dir, 'spill.jsonl'),
      alerts: false,
      output: createOutput({ stdout: counting, stderr: counting }),
    });
    await queue.enqueue(
      Array.from({ length: CONTACTS }, (_, i) => ({
        id: `soak-${i}`,
        name: `Person ${i}`,
        phone: `+1415${String(2_000_000 + i).padStart(7, '0')}`,
      })),
    );
    const { campaign, dispose } = createSession({
      config,
      providers,
      queue,
      audio: new MemoryAudioStore(),
      clock: systemClock,
      concurrency: CONCURRENCY,
      observers,
    });
    const tts = campaign.policies.get('ElevenLabs')!;
    let closedAfterRecovery: number | undefined;
    let recoveredAt: number | undefined;
    tts.onStateChanged((event) => {
      if (event.to === 'CLOSED' && recoveredAt !== undefined && closedAfterRecovery === undefined) {
        closedAfterRecovery = Date.now() - recoveredAt;
      }
    });

    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const busyLag = new BusyLag();
    busyLag.start();
    // from the outage's start until the ramp is over
    const outageLag = monitorEventLoopDelay({ resolution: 10 });
    const memory: Array<{ completed: number; rssMb: number; heapMb: number }> = [];
    let walPeak = 0;
    let waitingPeak = 0;
    let outage: { start: number; writes: number; lines: number } | undefined;
    /** Contacts completed per second before the outage (the faults' retries set the pace). */
    let fullSpeed = 0;
    let during: { writes: number; lines: number } | undefined;
    const origin = transport.env.OPENAI_BASE_URL!.replace(/\/openai\/v1$/, '');
    const started = Date.now();
    // Completions are counted from the agent's events: a count of the queue scans the table
    // (about 30 ms at 30,000 contacts), so the sampler reads it only every 10 s.
    let completed = 0;
    campaign.events.subscribe((event) => {
      if (event.type === 'contact_completed') completed++;
    });
    let ticks = 0;
    const sampler = setInterval(() => {
      void (async () => {
        ticks++;
        if (ticks % 20 === 0) {
          const counts = await queue.counts();
          const open = [...campaign.policies.values()].filter((p) => p.state !== 'CLOSED');
          const circuits = open.map((p) => ` ${p.service} ${p.state}`).join('');
          console.log(
            `  ${Math.round((Date.now() - started) / 1000)} s: ${counts.completed} completed, ` +
              `${counts.deferred} waiting${circuits}`,
          );
        }
        for (const milestone of MILESTONES) {
          if (completed >= milestone && !memory.some((m) => m.completed === milestone)) {
            const usage = process.memoryUsage();
            memory.push({ completed: milestone, rssMb: mb(usage.rss), heapMb: mb(usage.heapUsed) });
          }
        }
        try {
          walPeak = Math.max(walPeak, statSync(`${path}-wal`).size);
        } catch {
          // no WAL at this instant
        }
        if (outage === undefined && completed >= CONTACTS / 3) {
          outage = { start: Date.now(), writes: queue.writes, lines: logLines };
          fullSpeed = completed / ((outage.start - started) / 1000);
          outageLag.enable();
          setTimeout(() => outageLag.disable(), OUTAGE_MS + 45_000).unref();
          await fetch(`${origin}/__faults`, {
            method: 'POST',
            body: JSON.stringify({
              elevenlabs: {
                ...faulty('reset'),
                outages: [{ durationMs: OUTAGE_MS, fault: '503' }],
              },
            }),
          });
          setTimeout(() => {
            recoveredAt = Date.now();
            during = { writes: queue.writes - outage!.writes, lines: logLines - outage!.lines };
          }, OUTAGE_MS).unref();
        }
        if (outage !== undefined && recoveredAt === undefined && ticks % 10 === 0) {
          const waiting = await queue.waiting();
          waitingPeak = Math.max(
            waitingPeak,
            waiting.find((w) => w.service === 'ElevenLabs')?.contacts ?? 0,
          );
        }
      })();
    }, 500);

    const summary = await runToEnd(campaign, queue, {});
    clearInterval(sampler);
    lag.disable();
    busyLag.stop();
    dispose();
    await observers.close();
    const calls = (await (await fetch(`${origin}/__calls`)).json()) as {
      total: number;
      maxPerNumber: number;
    };
    await queue.close();
    const seconds = (Date.now() - started) / 1000;
    const figures = {
      contacts: CONTACTS,
      completed: summary.contacts.completed,
      failed: summary.contacts.failed,
      seconds: Math.round(seconds),
      concurrency: CONCURRENCY,
      contactsPerSecondBeforeOutage: Math.round(fullSpeed),
      eventLoopLagP99Ms: ms(lag.percentile(99)),
      eventLoopLagMaxMs: ms(lag.max),
      busyLagP99Ms: Math.round(busyLag.percentile(0.99)),
      busyLagMaxMs: Math.round(busyLag.max),
      outageLagP99Ms: ms(outageLag.percentile(99)),
      outageLagMaxMs: ms(outageLag.max),
      walPeakMb: Number((walPeak / 1_048_576).toFixed(1)),
      logMb: Number((logBytes / 1_048_576).toFixed(1)),
      logLines,
      waitingPeak,
      writesPerWaitingContact: Number(
        ((during?.writes ?? 0) / Math.max(1, waitingPeak)).toFixed(2),
      ),
      logLinesPerWaitingContact: Number(
        ((during?.lines ?? 0) / Math.max(1, waitingPeak)).toFixed(3),
      ),
      recoveryToClosedMs: closedAfterRecovery ?? -1,
      callsCreated: calls.total,
      maxCallsPerNumber: calls.maxPerNumber,
    };
    console.log(`soak: ${JSON.stringify(figures)}`);
    for (const m of memory) {
      console.log(`  at ${m.completed} completed: RSS ${m.rssMb} MB, heap ${m.heapMb} MB`);
    }
    if (calls.maxPerNumber > 1) throw new Error('a number was called twice');
  } finally {
    clearInterval(keepAlive);
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await soak();
