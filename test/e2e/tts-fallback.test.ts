import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import { contactsCsv, prepare, runArgs, useWorkspaceAndMock, type RunSummary } from './harness.ts';

/** `tts_fallback` in the config file turns the fallback voice on, as the README says. */
describe('call-agent run with tts_fallback: "openai" in the config file', () => {
  const setup = useWorkspaceAndMock({ elevenlabs: { outages: [{ fault: '503' }] } });

  it('speaks with the OpenAI voice while ElevenLabs is down, and every contact completes', async () => {
    const { ws, mock } = setup;
    await prepare(ws, contactsCsv(3).csv, { tts_fallback: 'openai' });
    const result = await runCli(runArgs(ws), { env: mock.env, timeoutMs: 40_000 });
    expect(result.code, result.stderr).toBe(0);
    const summary = await ws.readJson<RunSummary>('summary.json');
    expect(summary.contacts).toMatchObject({ total: 3, completed: 3, failed: 0 });
    expect(
      mock.mock.requests('openai').filter((r) => r.path.endsWith('/audio/speech')),
    ).toHaveLength(3);
    const degraded = result.lines.filter((line) => line.event === 'contact_degraded');
    expect(degraded.map((line) => line.service)).toEqual([
      'ElevenLabs',
      'ElevenLabs',
      'ElevenLabs',
    ]);
  }, 45_000);
});
