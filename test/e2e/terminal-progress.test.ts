/* eslint-disable no-control-regex -- the terminal output is made of escape sequences */
import { describe, expect, it } from 'vitest';
import { finished, startCli } from '../support/cli-process.ts';
import { contactsCsv, prepare, useWorkspaceAndMock } from './harness.ts';

const CLEAR_LINE = '\r\u001b[2K';
const RED = (text: string) => `\u001b[31m${text}\u001b[39m`;
const GREEN = (text: string) => `\u001b[32m${text}\u001b[39m`;
const YELLOW = (text: string) => `\u001b[33m${text}\u001b[39m`;

/** A run in a terminal while ElevenLabs is down: colours and a progress line. */
describe('call-agent run in a terminal, through an outage', () => {
  const e2e = useWorkspaceAndMock({ elevenlabs: { outages: [{ fault: '503' }] } });

  it('colours levels and circuit states, keeps a progress line under the output and takes it away before the summary', async () => {
    const { ws, mock } = e2e;
    const { csv } = contactsCsv(4);
    await prepare(ws, csv);
    const cli = startCli(
      ['run', ws.path('contacts.csv'), '--config', ws.path('config.json'), '--db', ws.path('q.db')],
      { env: mock.env, terminal: true },
    );
    // the progress line tells the open circuit, in red
    await cli.waitForStdout((out) =>
      /\d\/4 done, \d deferred, \d failed[^\n]*; ElevenLabs \u001b\[31mOPEN/.test(out),
    );
    mock.mock.setFaults({ elevenlabs: null });
    const result = await finished(cli, 30_000);
    expect(result.code, result.stdout).toBe(0);
    const out = result.stdout;

    // pretty lines (stdout is a terminal), their level and circuit state coloured
    const line = (pattern: string) =>
      out.split('\n').find((text) => text.includes(pattern)) ?? `no line with ${pattern}`;
    expect(line('Retry 1 in 50 ms')).toContain(`${YELLOW('WARNING')}  ElevenLabs`);
    expect(line('Retry 1 in 50 ms')).toContain(`circuit=${GREEN('CLOSED')}`);
    expect(line('Circuit CLOSED → OPEN')).toContain(`${RED('ERROR')}    ElevenLabs`);
    expect(line('Circuit CLOSED → OPEN')).toContain(`circuit=${RED('OPEN')}`);

    // the progress line: redrawn in place, cleared before every other line
    expect(out).toMatch(/\r\u001b\[2K\d\/4 done, \d deferred, \d failed/);
    const frames = out.split(CLEAR_LINE).filter((piece) => /^\d\/4 done/.test(piece));
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(frame).not.toContain('\n'); // never part of a line

    // gone before the summary, which is the last thing printed (circuits coloured there too)
    const afterProgress = out.slice(out.lastIndexOf(' done, '));
    const summary = afterProgress.slice(afterProgress.indexOf(CLEAR_LINE) + CLEAR_LINE.length);
    expect(summary).toMatch(/^\S*contacts\.csv: 4 queued/);
    expect(summary).toMatch(/ElevenLabs .*\u001b\[32mCLOSED\u001b\[39m\n/);
    expect(summary).not.toContain(CLEAR_LINE);
    expect(out.endsWith('ended: drained\n')).toBe(true);
  }, 60_000);
});
