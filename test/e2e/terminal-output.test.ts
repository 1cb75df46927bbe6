import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import {
  contactsCsv,
  FAST_CONFIG,
  prepare,
  useWorkspaceAndMock,
  type Workspace,
} from './harness.ts';

/** What a person sees when call-agent runs in a terminal, and what a pipe gets instead. */
describe.concurrent('call-agent in a terminal', () => {
  const setup = useWorkspaceAndMock();

  it('tells each rejected row once on a terminal, and once per stream when piped', async () => {
    const { ws, mock } = setup;
    const { csv } = contactsCsv(1);
    await prepare(ws, `${csv}x1,Bad,020 7946 0958\nx2,Worse,12345\n`);
    const args = ['run', ws.path('contacts.csv'), '--config', ws.path('config.json')];
    const onTerminal = await runCli([...args, '--db', ws.path('t.db'), '--log-format', 'pretty'], {
      env: mock.env,
      terminal: true,
      timeoutMs: 60_000,
    });
    expect(onTerminal.code).toBe(0);
    const rowLines = (text: string) =>
      text.split('\n').filter((line) => /contacts\.csv:\d: invalid phone number/.test(line));
    expect(rowLines(onTerminal.stdout)).toHaveLength(2);
    expect(onTerminal.stdout).toContain('contacts.csv:3: invalid phone number "020 7*** 0958"');
    expect(onTerminal.stdout).not.toContain('7946');

    const piped = await runCli([...args, '--db', ws.path('p.db'), '--log-format', 'pretty'], {
      env: mock.env,
      timeoutMs: 60_000,
    });
    expect(rowLines(piped.stdout)).toHaveLength(2);
    expect(rowLines(piped.stderr)).toHaveLength(2);
  }, 70_000);

  /** `run` with a CSV of 2 contacts and the fast configuration, in files of its own. */
  const ownFiles = async (ws: Workspace, name: string): Promise<string[]> => [
    'run',
    await ws.write(`${name}.csv`, contactsCsv(2).csv),
    '--config',
    await ws.write(`${name}.json`, JSON.stringify(FAST_CONFIG)),
  ];

  /** An ANSI colour (SGR) sequence. */
  // eslint-disable-next-line no-control-regex -- looking for the escape character
  const COLOUR = /\u001b\[\d+m/;

  it('prints no colour with NO_COLOR set; the progress line stays', async () => {
    const { ws, mock } = setup;
    const args = await ownFiles(ws, 'nc');
    const result = await runCli([...args, '--db', ws.path('nc.db')], {
      env: { ...mock.env, NO_COLOR: '1' },
      terminal: true,
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ INFO +OpenAI +Call successful .* circuit=CLOSED /);
    expect(result.stdout).toContain('\r\u001b[2K0/2 done, 0 deferred, 0 failed');
    expect(result.stdout).not.toMatch(COLOUR);
  }, 70_000);

  it('prints no colour and no progress line when piped, even with pretty lines', async () => {
    const { ws, mock } = setup;
    const args = await ownFiles(ws, 'pipe');
    const result = await runCli([...args, '--db', ws.path('pipe.db'), '--log-format', 'pretty'], {
      env: mock.env,
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ INFO +OpenAI +Call successful .* circuit=CLOSED /);
    expect(result.stderr).toContain('ended: drained');
    expect(`${result.stdout}${result.stderr}`).not.toContain('\u001b');
    expect(result.stderr).not.toContain(' done, ');
  }, 70_000);
});
