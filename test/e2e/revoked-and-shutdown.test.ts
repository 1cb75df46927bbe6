import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import {
  contactsCsv,
  createWorkspace,
  prepare,
  runArgs,
  startMock,
  type E2eMock,
  type RunSummary,
  type Workspace,
} from './harness.ts';

/** An HTTP server on loopback that answers every request with `status`, or never. */
async function loopback(status: number | 'never'): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    if (status !== 'never') response.writeHead(status).end('{"ok":false}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A port on loopback where nothing listens: connections are refused. */
async function closedPort(): Promise<number> {
  const { server } = await loopback(200);
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(faults: Parameters<typeof startMock>[0]): Promise<{
  ws: Workspace;
  mock: E2eMock;
}> {
  const ws = await createWorkspace();
  const mock = await startMock(faults);
  cleanups.push(
    () => ws.cleanup(),
    () => mock.close(),
  );
  return { ws, mock };
}

describe('call-agent run: a revoked key', () => {
  it('gives up after run.give_up_after, names the service and why, and leaves the contacts queued', async () => {
    const { ws, mock } = await setUp({
      elevenlabs: { outages: [{ fault: 'invalid_api_key' }] },
    });
    const { csv } = contactsCsv(3);
    await prepare(ws, csv, { run: { give_up_after: 2 } });
    const result = await runCli(runArgs(ws), { env: mock.env, timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(
      /Gave up: ElevenLabs has refused every call since \S+ \(permanent\/service: 401 invalid_api_key: Invalid API key\)\. A person must fix it/,
    );
    const summary = await ws.readJson<RunSummary>('summary.json');
    expect(summary.ended).toBe('gave_up');
    expect(summary.contacts).toMatchObject({ deferred: 3, completed: 0, failed: 0 });
    expect(mock.mock.twilioCalls).toEqual([]);
  }, 40_000);
});

describe('call-agent run: every alert channel and Google Sheets failing at the end', () => {
  it('gives the sinks shutdown_grace, logs the alerts it could not send, and prints the summary last', async () => {
    const { ws, mock } = await setUp({
      // two contacts use up their retries: the circuit opens (a critical alert), a probe closes it
      elevenlabs: { script: Array.from({ length: 8 }, () => '503') },
    });
    const hanging = await loopback('never');
    const failing = await loopback(500);
    cleanups.push(
      () => new Promise((resolve) => hanging.server.close(resolve)),
      () => new Promise((resolve) => failing.server.close(resolve)),
    );
    hanging.server.closeAllConnections?.();
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const keyFile = await ws.write(
      'sa.json',
      JSON.stringify({
        client_email: 'logs@project.iam.gserviceaccount.com',
        private_key: key,
        token_uri: `${hanging.url}/token`,
      }),
    );
    const { csv } = contactsCsv(3);
    await prepare(ws, csv, { shutdown_grace: 1 });
    const result = await runCli(runArgs(ws, '--concurrency', '1'), {
      env: {
        ...mock.env,
        ALERT_WEBHOOK_URL: `${hanging.url}/hooks/T000/B000/secret-path`,
        TELEGRAM_BOT_TOKEN: '123456:telegram-secret-token',
        TELEGRAM_CHAT_ID: '42',
        TELEGRAM_API_BASE_URL: failing.url,
        SMTP_URL: `smtp://alerts:smtp-password@127.0.0.1:${await closedPort()}`,
        ALERT_EMAIL_FROM: 'agent@example.com',
        ALERT_EMAIL_TO: 'ops@example.com',
        GOOGLE_SHEETS_SPREADSHEET_ID: 'sheet-1',
        GOOGLE_APPLICATION_CREDENTIALS: keyFile,
        GOOGLE_SHEETS_BASE_URL: hanging.url,
      },
      mergeStderr: true,
      // each channel's own policy would retry for up to 2 min: the grace must cut that short
      timeoutMs: 30_000,
    });
    expect(result.code, result.stdout.slice(-3000)).toBe(0);

    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('CRM outbox left: 0   ended: drained');
    const summaryStart = lines.findIndex((line) => /^contacts\s+total/.test(line));
    expect(summaryStart).toBeGreaterThan(0);
    expect(lines.slice(summaryStart).filter((line) => line.startsWith('{'))).toEqual([]);

    // what no channel delivered is in the log, with what it said
    const notSent = result.lines.filter(
      (line) => line.event === 'alert' && /^alert not sent to \w+/.test(String(line.message)),
    );
    for (const channel of ['webhook', 'telegram', 'email']) {
      expect(notSent.some((line) => String(line.message).includes(`not sent to ${channel}`))).toBe(
        true,
      );
    }
    expect(
      notSent.some((line) => /it said: \[CRITICAL\] ElevenLabs/.test(String(line.message))),
    ).toBe(true);
    // the Sheets rows wait in the spill file for the next run
    const spill = ws.path('sheets-spill.jsonl');
    expect(existsSync(spill)).toBe(true);
    expect(readFileSync(spill, 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(0);
    for (const secret of ['secret-path', 'telegram-secret-token', 'smtp-password']) {
      expect(result.stdout).not.toContain(secret);
    }
  }, 40_000);
});
