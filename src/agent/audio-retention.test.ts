import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileAudioStore } from './audio-store.ts';
import { agentEvents, operations, TTS, useScenarios } from './flow-harness.test-support.ts';

/**
 * The retention of audio Twilio fetches from a public URL, through a real Campaign, the
 * in-process mock providers and a FileAudioStore on the campaign's virtual clock.
 */

const MINUTE = 60_000;
const scenario = useScenarios();
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audio-retention-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('audio served publicly', () => {
  it('is kept for the retention time after its call, however long the contact waited for it', async () => {
    let store: FileAudioStore | undefined;
    const h = await scenario({
      contacts: 1,
      audio: (clock) =>
        (store = new FileAudioStore({
          dir,
          publicBaseUrl: 'https://cdn.example.com/audio',
          retentionMs: 10 * MINUTE,
          clock,
        })),
      faults: { twilio: { outages: [{ durationMs: 8 * MINUTE, fault: '503' }] } },
      config: { services: { twilio: { retry: { max_retries: 0 } } } },
    });
    const synthesizedAt = h.clock.now();
    expect(await h.finish()).toBe('drained');
    const [completed] = agentEvents(h.log, 'contact_completed');
    const calledAt = completed!.timestamp;
    expect(calledAt - synthesizedAt).toBeGreaterThanOrEqual(8 * MINUTE); // it waited for Twilio
    expect(operations(h.mock, 'elevenlabs', TTS)).toHaveLength(1); // one voice, kept meanwhile
    const ref = (await h.queue.status('Contact-1'))?.checkpoints.audioRef;
    expect(h.mock.twilioCalls[0]?.twiml).toContain(`https://cdn.example.com/audio/${ref}`);

    // Twilio fetches the audio when the call is answered: it is there for the retention time
    await h.clock.advanceTo(calledAt + 9 * MINUTE);
    await store!.sweep();
    expect(await readdir(dir)).toEqual([ref]);
    await h.clock.advanceTo(calledAt + 11 * MINUTE);
    await store!.sweep();
    expect(await readdir(dir)).toEqual([]);
  });
});
