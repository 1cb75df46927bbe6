import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import { contactsCsv, prepare, useWorkspaceAndMock } from './harness.ts';

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
});
