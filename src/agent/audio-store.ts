import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { makePrivateDir, writeNewPrivateFile } from '../files/private-files.ts';
import type { Audio } from '../providers/ports.ts';
import type { Clock } from '../resilience/index.ts';

/** Keeps synthesized audio so a resumed contact need not synthesize again. */
export interface AudioStore {
  /**
   * Stores audio and returns its reference: a fresh random name on every save, so two
   * contacts (or two claims of one contact) never share a file, and a public URL reveals
   * nothing and cannot be guessed. The caller checkpoints the returned reference, which is
   * the only way back to the audio. Rejects with AudioStoreError when it cannot be stored.
   */
  save(audio: Audio): Promise<string>;
  /** A URL the telephony provider can fetch the audio from, if the store is served publicly. */
  urlFor(ref: string): string | undefined;
  load(ref: string): Promise<Audio | undefined>;
  /**
   * Whether the audio is still there (a resumed contact synthesizes again if not). Audio found
   * counts as used now: the contact is about to call with it.
   */
  has(ref: string): Promise<boolean>;
  /**
   * The call no longer needs the audio: removed now, or, where the telephony provider fetches
   * it from a public URL, kept for the retention time from now (the call). Never throws.
   */
  release(ref: string): Promise<void>;
}

/** The audio folder cannot be written: a local fault, not the TTS provider's. */
export class AudioStoreError extends Error {
  readonly code = 'E_AUDIO_STORE';

  override get name(): string {
    return 'AudioStoreError';
  }
}

const extensions: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
};

/** True for an AudioStoreError, also from another copy of the package. */
export function isAudioStoreError(error: unknown): error is AudioStoreError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'E_AUDIO_STORE'
  );
}

/** A random name (122 random bits): unique without coordination, and unguessable. */
function newName(contentType: string): string {
  return `${randomUUID()}.${extensions[contentType] ?? 'bin'}`;
}

/** A name this store gives (a UUID and an extension): nothing else in the folder is touched. */
const OWN_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[a-z0-9]+$/;

function isOwnName(ref: string): boolean {
  return ref === basename(ref) && OWN_NAME.test(ref);
}

function contentTypeOf(ref: string): string {
  if (ref.endsWith('.mp3')) return 'audio/mpeg';
  if (ref.endsWith('.wav')) return 'audio/wav';
  return 'application/octet-stream';
}

function causeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/**
 * Audio files in a directory, each 0600 in a folder created 0700 (they hold what a person is
 * told); with `publicBaseUrl`, Twilio plays them from there.
 */
export interface FileAudioStoreOptions {
  dir: string;
  /** Where the folder is served publicly (AUDIO_PUBLIC_BASE_URL). */
  publicBaseUrl?: string | undefined;
  /**
   * How long a file is kept after its last use: its save, a resumed contact finding it, its
   * call (with a public URL, Twilio fetches it when the call is answered).
   */
  retentionMs?: number | undefined;
  /** Times the retention: a file's last use is written as its modification time. */
  clock: Clock;
}

export const fileAudioStoreDefaults = { retentionMs: 3_600_000 };

export class FileAudioStore implements AudioStore {
  readonly #dir: string;
  readonly #publicBaseUrl: string | undefined;
  readonly #retentionMs: number;
  readonly #clock: Clock;
  #lastSweep = Number.NEGATIVE_INFINITY;
  /**
   * Marking a file used and the sweep's look at one file take turns: a file a contact has just
   * found (and calls with) is never removed by a sweep that read its old time.
   */
  #turns: Promise<unknown> = Promise.resolve();

  constructor(options: FileAudioStoreOptions) {
    this.#dir = options.dir;
    this.#publicBaseUrl = options.publicBaseUrl?.replace(/\/+$/, '');
    this.#retentionMs = options.retentionMs ?? fileAudioStoreDefaults.retentionMs;
    this.#clock = options.clock;
  }

  /**
   * Creates the folder, then writes and removes a probe file: run at start, so an unwritable
   * folder stops the run before any synthesis is paid for. Throws an AudioStoreError naming
   * the folder and the cause.
   */
  async check(): Promise<void> {
    const probe = join(this.#dir, `.probe-${randomUUID()}`);
    try {
      await makePrivateDir(this.#dir);
      await writeNewPrivateFile(probe, '');
      await rm(probe);
    } catch (error) {
      throw this.#error(error);
    }
  }

  async save(audio: Audio): Promise<string> {
    const name = newName(audio.contentType);
    try {
      await makePrivateDir(this.#dir);
      await writeNewPrivateFile(join(this.#dir, name), audio.bytes);
      await this.#markUsed(name);
    } catch (error) {
      throw this.#error(error);
    }
    return name;
  }

  urlFor(ref: string): string | undefined {
    return this.#publicBaseUrl && `${this.#publicBaseUrl}/${encodeURIComponent(ref)}`;
  }

  async load(ref: string): Promise<Audio | undefined> {
    if (!isOwnName(ref)) return undefined;
    try {
      return { bytes: await readFile(join(this.#dir, ref)), contentType: contentTypeOf(ref) };
    } catch {
      return undefined;
    }
  }

  async has(ref: string): Promise<boolean> {
    if (!isOwnName(ref)) return false;
    return this.#markUsed(ref).then(
      () => true,
      () => false,
    );
  }

  async release(ref: string): Promise<void> {
    if (this.#publicBaseUrl === undefined) await this.#remove(ref);
    else await this.#markUsed(ref).catch(() => undefined);
    if (this.#clock.now() - this.#lastSweep >= this.#retentionMs / 4) await this.sweep();
  }

  /**
   * Removes the files not used for the retention time (at start: what an earlier run left; a
   * contact that waited that long has its audio made again when it resumes).
   */
  async sweep(): Promise<void> {
    this.#lastSweep = this.#clock.now();
    const names = await readdir(this.#dir).catch((): string[] => []);
    for (const name of names.filter(isOwnName)) {
      await this.#inTurn(async () => {
        const file = await stat(join(this.#dir, name)).catch(() => undefined);
        const unusedSince = this.#clock.now() - this.#retentionMs;
        if (file !== undefined && file.mtimeMs < unusedSince) await this.#remove(name);
      });
    }
  }

  /** Writes "used now" (clock time) as the file's modification time; rejects if it is gone. */
  #markUsed(name: string): Promise<void> {
    const now = new Date(this.#clock.now());
    return this.#inTurn(() => utimes(join(this.#dir, name), now, now));
  }

  #inTurn<T>(task: () => Promise<T>): Promise<T> {
    const turn = this.#turns.then(task);
    this.#turns = turn.catch(() => undefined);
    return turn;
  }

  async #remove(ref: string): Promise<void> {
    if (isOwnName(ref)) await rm(join(this.#dir, ref), { force: true }).catch(() => undefined);
  }

  #error(error: unknown): AudioStoreError {
    return new AudioStoreError(`audio folder ${this.#dir} is not writable: ${causeOf(error)}`, {
      cause: error,
    });
  }
}

/** Audio in memory, for the simulation and tests. */
export class MemoryAudioStore implements AudioStore {
  readonly #audio = new Map<string, Audio>();

  async save(audio: Audio): Promise<string> {
    const ref = newName(audio.contentType);
    this.#audio.set(ref, audio);
    return ref;
  }

  urlFor(): string | undefined {
    return undefined;
  }

  async load(ref: string): Promise<Audio | undefined> {
    return this.#audio.get(ref);
  }

  async has(ref: string): Promise<boolean> {
    return this.#audio.has(ref);
  }

  async release(ref: string): Promise<void> {
    this.#audio.delete(ref);
  }
}
