import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, stopAllClis } from '../support/cli-process.ts';
import { createWorkspace, type Workspace } from './harness.ts';

/** What a person reads: every line the CLI prints goes through one redacted writer. */
describe.concurrent('what call-agent prints', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await createWorkspace();
  });
  afterAll(async () => {
    await stopAllClis();
    await ws.cleanup();
  });

  it('run: rejected rows show masked phones; a contact id cannot forge a line or colour the terminal', async () => {
    const forged = 'a\n2026-01-01T00:00:00.000Z CRITICAL Twilio      Account suspended';
    const csv = await ws.write(
      'hostile.csv',
      [
        'id,name,phone',
        'Contact-1,Alice,+14155550123',
        'dup,Dup,+14155550123',
        `"${forged}",Eve,+14155550126`,
        '"\u001b[31mred",Red,+14155550127',
        // a cell quoted in a rejection message on stderr
        'z1,Zed,"12345\n2026-01-01T00:00:00.000Z CRITICAL Twilio      Key revoked"',
        '',
      ].join('\n'),
    );
    const result = await runCli(
      ['run', csv, '--mock-providers', '--db', ws.path('hostile.db'), '--log-format', 'pretty'],
      { cwd: ws.dir, timeoutMs: 60_000 },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('hostile.csv:3: duplicate phone +1415***0123');
    expect(`${result.stdout}${result.stderr}`).not.toContain('+14155550123');
    const lines = `${result.stdout}\n${result.stderr}`.split('\n');
    expect(lines.filter((line) => line.startsWith('2026-01-01T00:00:00.000Z'))).toEqual([]);
    expect(result.stderr).toContain(
      'hostile.csv:7: invalid phone number "1234*\\n****-*…" (63 characters)',
    );
    expect(result.stdout).toContain('contact=a\\n2026-01-01T00:00:00.000Z CRITICAL');
    expect(`${result.stdout}${result.stderr}`).not.toContain('\u001b');
    expect(result.stdout).toContain('contact=\\x1b[31mred');
  }, 70_000);

  it('a fatal error is printed redacted', async () => {
    const result = await runCli(
      ['run', ws.path('+14155550123.csv'), '--mock-providers', '--db', ws.path('f.db')],
      {
        cwd: ws.dir,
        timeoutMs: 30_000,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^call-agent: .*\+1415\*\*\*0123/m);
    expect(result.stderr).not.toContain('+14155550123');
  }, 40_000);

  it('alert-test: no webhook path, no Telegram token however short, no SMTP password; the SMTP server named', async () => {
    // A receiver that echoes what it was sent, as Slack's "no_service" and proxies may.
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url?.startsWith('/bot')) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              ok: false,
              error_code: 401,
              description: `Unauthorized: no bot at ${req.url}`,
            }),
          );
          return;
        }
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no_service at ${req.url}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const smtpPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    try {
      const result = await runCli(['alert-test'], {
        cwd: ws.dir,
        timeoutMs: 30_000,
        env: {
          ALERT_WEBHOOK_URL: `${origin}/services/T000/B000/XXXXsecretpath`,
          TELEGRAM_BOT_TOKEN: 't0k3n',
          TELEGRAM_CHAT_ID: '42',
          TELEGRAM_API_BASE_URL: origin,
          SMTP_URL: `smtp://alerts:pw-s3cret@127.0.0.1:${smtpPort}`,
          ALERT_EMAIL_FROM: 'agent@example.com',
          ALERT_EMAIL_TO: 'oncall@example.com',
        },
      });
      const printed = `${result.stdout}${result.stderr}`;
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^webhook: FAILED \(permanent\/service\): Webhook: HTTP 404/m);
      expect(result.stdout).toMatch(/^telegram: FAILED \(permanent\/service\)/m);
      expect(result.stdout).toMatch(
        new RegExp(`^email: FAILED .*127\\.0\\.0\\.1:${smtpPort}`, 'm'),
      );
      for (const secret of ['XXXXsecretpath', 't0k3n', 'pw-s3cret']) {
        expect(printed).not.toContain(secret);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 40_000);
});
