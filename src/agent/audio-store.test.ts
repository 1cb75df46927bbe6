import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Audio } from '../providers/ports.ts';
import { VirtualClock } from '../resilience/index.ts';
import {
  AudioStoreError,
  FileAudioStore,
  MemoryAudioStore,
  type AudioStore,
} from './audio-store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audio-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const audioOf = (text: string): Audio => ({
  bytes: Buffer.from(text, 'utf8'),
  contentType: 'audio/mpeg',
});

const textOf = (audio: Audio | undefined): string | undefined =>
  audio && Buffer.from(audio.bytes).toString('utf8');

/** Ids that the old name scheme (`[^A-Za-z0-9._-]` → `_`) turned into one file name. */
const COLLIDING_IDS = ['x/1', 'x_1', 'x?1', 'Иван', 'Анна'];

describe.each<[string, () => AudioStore]>([
  [
    'FileAudioStore',
    () => new FileAudioStore({ dir: join(dir, 'audio'), clock: new VirtualClock() }),
  ],
  ['MemoryAudioStore', () => new MemoryAudioStore()],
])('%s', (_name, makeStore) => {
  it('gives the audio of each contact its own file, whatever the ids look like', async () => {
    const store = makeStore();
    const refs = [];
    for (const id of COLLIDING_IDS) refs.push(await store.save(audioOf(`for ${id}`)));
    expect(new Set(refs).size).toBe(COLLIDING_IDS.length);
    for (const [i, id] of COLLIDING_IDS.entries()) {
      expect(textOf(await store.load(refs[i]!))).toBe(`for ${id}`);
    }
  });

  it('names it at random: nothing of the contact in a ref that is served publicly', async () => {
    const ref = await makeStore().save(audioOf('hello'));
    expect(ref).toMatch(/^[0-9a-f-]{36}\.mp3$/);
  });

  it('gives two saves two refs: a stale worker cannot overwrite', async () => {
    const store = makeStore();
    const first = await store.save(audioOf('first'));
    const second = await store.save(audioOf('second'));
    expect(first).not.toBe(second);
    expect(textOf(await store.load(first))).toBe('first');
  });
});

describe('FileAudioStore files', () => {
  it('creates the audio folder 0700 and each file 0600', async () => {
    const audioDir = join(dir, 'data', 'audio');
    const store = new FileAudioStore({ dir: audioDir, clock: new VirtualClock() });
    const ref = await store.save(audioOf('x'));
    expect((await stat(audioDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(audioDir, ref))).mode & 0o777).toBe(0o600);
  });

  it('serves a ref under the public base URL', async () => {
    const store = new FileAudioStore({
      dir,
      publicBaseUrl: 'https://cdn.example.com/audio/',
      clock: new VirtualClock(),
    });
    const ref = await store.save(audioOf('x'));
    expect(store.urlFor(ref)).toBe(`https://cdn.example.com/audio/${ref}`);
  });

  it('loads nothing outside its folder', async () => {
    await writeFile(join(dir, 'secret.mp3'), 'not audio of ours');
    const store = new FileAudioStore({ dir: join(dir, 'audio'), clock: new VirtualClock() });
    expect(await store.load('../secret.mp3')).toBeUndefined();
  });

  it('a save that cannot write is an AudioStoreError naming the folder', async () => {
    await writeFile(join(dir, 'file'), '');
    const store = new FileAudioStore({
      dir: join(dir, 'file', 'audio'),
      clock: new VirtualClock(),
    });
    const error = await store.save(audioOf('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudioStoreError);
    expect((error as AudioStoreError).code).toBe('E_AUDIO_STORE');
    expect((error as Error).message).toContain(join(dir, 'file', 'audio'));
    expect((error as Error).message).toContain('ENOTDIR');
  });
});

describe('FileAudioStore.check', () => {
  it('creates the folder, writes and removes a probe, and leaves nothing behind', async () => {
    const audioDir = join(dir, 'audio');
    await new FileAudioStore({ dir: audioDir, clock: new VirtualClock() }).check();
    expect((await stat(audioDir)).mode & 0o777).toBe(0o700);
    expect(await readdir(audioDir)).toEqual([]);
  });

  it('finds an unwritable folder at start and says which and why', async () => {
    await writeFile(join(dir, 'file'), '');
    const audioDir = join(dir, 'file', 'audio');
    const error = await new FileAudioStore({ dir: audioDir, clock: new VirtualClock() })
      .check()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudioStoreError);
    expect((error as Error).message).toMatch(
      new RegExp(`audio folder ${audioDir.replace(/[/\\.]/g, '\\$&')} is not writable: .*ENOTDIR`),
    );
  });
});

describe('FileAudioStore retention', () => {
  const MINUTE = 60_000;
  /** The names in the folder, without touching them (`has` counts as a use). */
  const filesIn = async (folder: string): Promise<string[]> => (await readdir(folder)).sort();

  it('removes the audio once the call has it, when nothing is served publicly', async () => {
    const store = new FileAudioStore({
      dir: join(dir, 'private-audio'),
      clock: new VirtualClock(),
    });
    const ref = await store.save(audioOf('x'));
    expect(await store.has(ref)).toBe(true);
    await store.release(ref);
    expect(await store.has(ref)).toBe(false);
    expect(await readdir(join(dir, 'private-audio'))).toEqual([]);
  });

  it('keeps a publicly served file for the retention time after its call, whatever the contact waited before', async () => {
    const clock = new VirtualClock();
    const folder = join(dir, 'public-audio');
    const store = new FileAudioStore({
      dir: folder,
      publicBaseUrl: 'https://cdn.example.com/audio',
      retentionMs: 10 * MINUTE,
      clock,
    });
    const ref = await store.save(audioOf('hello'));
    await clock.advance(8 * MINUTE); // the contact waits through an outage
    expect(await store.has(ref)).toBe(true); // it resumes: its audio is there
    await store.release(ref); // the call is placed: Twilio fetches the audio when answered
    await clock.advance(9 * MINUTE); // 17 min after the synthesis, 9 after the call
    await store.sweep();
    expect(await filesIn(folder)).toEqual([ref]);
    await clock.advance(2 * MINUTE); // 11 min after the call
    await store.sweep();
    expect(await filesIn(folder)).toEqual([]);
  });

  it('counts the retention on its clock from the last use: the save, the contact finding it, the call', async () => {
    const clock = new VirtualClock();
    const folder = join(dir, 'public-audio');
    const store = new FileAudioStore({
      dir: folder,
      publicBaseUrl: 'https://cdn.example.com/audio',
      retentionMs: 10 * MINUTE,
      clock,
    });
    const unused = await store.save(audioOf('unused'));
    const found = await store.save(audioOf('found'));
    const called = await store.save(audioOf('called'));
    await clock.advance(6 * MINUTE);
    await store.has(found);
    await store.release(called);
    await clock.advance(6 * MINUTE); // 12 min after the saves, 6 after the last uses
    expect(await filesIn(folder)).toEqual([unused, found, called].sort());
    await store.sweep();
    expect(await filesIn(folder)).toEqual([found, called].sort());
  });

  it('sweeps on its own as calls release their audio, on its clock', async () => {
    const clock = new VirtualClock();
    const folder = join(dir, 'public-audio');
    const store = new FileAudioStore({
      dir: folder,
      publicBaseUrl: 'https://cdn.example.com/audio',
      retentionMs: 10 * MINUTE,
      clock,
    });
    const first = await store.save(audioOf('first'));
    await store.release(first);
    await clock.advance(11 * MINUTE);
    const second = await store.save(audioOf('second'));
    await store.release(second); // a quarter of the retention since the last sweep: sweeps
    expect(await filesIn(folder)).toEqual([second]);
  });

  it('sweeps its own files, and leaves what is not its own however old', async () => {
    const clock = new VirtualClock();
    const folder = join(dir, 'public-audio');
    const store = new FileAudioStore({
      dir: folder,
      publicBaseUrl: 'https://cdn.example.com/audio',
      retentionMs: MINUTE,
      clock,
    });
    await store.save(audioOf('x'));
    await writeFile(join(folder, 'notes.txt'), 'not ours');
    const longAgo = new Date(clock.now() - 3_600_000);
    await utimes(join(folder, 'notes.txt'), longAgo, longAgo);
    await clock.advance(2 * MINUTE);
    await store.sweep();
    expect(await filesIn(folder)).toEqual(['notes.txt']);
  });
});
