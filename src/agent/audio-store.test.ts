import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Audio } from '../providers/ports.ts';
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
  ['FileAudioStore', () => new FileAudioStore({ dir: join(dir, 'audio') })],
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
    const store = new FileAudioStore({ dir: audioDir });
    const ref = await store.save(audioOf('x'));
    expect((await stat(audioDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(audioDir, ref))).mode & 0o777).toBe(0o600);
  });

  it('serves a ref under the public base URL', async () => {
    const store = new FileAudioStore({ dir, publicBaseUrl: 'https://cdn.example.com/audio/' });
    const ref = await store.save(audioOf('x'));
    expect(store.urlFor(ref)).toBe(`https://cdn.example.com/audio/${ref}`);
  });

  it('loads nothing outside its folder', async () => {
    await writeFile(join(dir, 'secret.mp3'), 'not audio of ours');
    const store = new FileAudioStore({ dir: join(dir, 'audio') });
    expect(await store.load('../secret.mp3')).toBeUndefined();
  });

  it('a save that cannot write is an AudioStoreError naming the folder', async () => {
    await writeFile(join(dir, 'file'), '');
    const store = new FileAudioStore({ dir: join(dir, 'file', 'audio') });
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
    await new FileAudioStore({ dir: audioDir }).check();
    expect((await stat(audioDir)).mode & 0o777).toBe(0o700);
    expect(await readdir(audioDir)).toEqual([]);
  });

  it('finds an unwritable folder at start and says which and why', async () => {
    await writeFile(join(dir, 'file'), '');
    const audioDir = join(dir, 'file', 'audio');
    const error = await new FileAudioStore({ dir: audioDir }).check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudioStoreError);
    expect((error as Error).message).toMatch(
      new RegExp(`audio folder ${audioDir.replace(/[/\\.]/g, '\\$&')} is not writable: .*ENOTDIR`),
    );
  });
});

describe('FileAudioStore retention', () => {
  it('removes the audio once the call has it, when nothing is served publicly', async () => {
    const store = new FileAudioStore({ dir: join(dir, 'private-audio') });
    const ref = await store.save(audioOf('x'));
    expect(await store.has(ref)).toBe(true);
    await store.release(ref);
    expect(await store.has(ref)).toBe(false);
    expect(await readdir(join(dir, 'private-audio'))).toEqual([]);
  });

  it('keeps a publicly served file for the retention time, then sweeps it; nothing else', async () => {
    const folder = join(dir, 'public-audio');
    const store = new FileAudioStore({
      dir: folder,
      publicBaseUrl: 'https://cdn.example.com/audio',
      retentionMs: 60_000,
    });
    const fresh = await store.save(audioOf('fresh'));
    const old = await store.save(audioOf('old'));
    await store.release(old);
    expect(await store.has(old)).toBe(true); // Twilio may still fetch it
    await writeFile(join(folder, 'notes.txt'), 'not ours');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(folder, old), anHourAgo, anHourAgo);
    await utimes(join(folder, 'notes.txt'), anHourAgo, anHourAgo);
    await store.sweep();
    expect(await store.has(old)).toBe(false);
    expect(await store.has(fresh)).toBe(true);
    expect((await readdir(folder)).sort()).toEqual([fresh, 'notes.txt'].sort());
  });
});
