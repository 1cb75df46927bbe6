import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { makePrivateDir, writeNewPrivateFile } from '../files/private-files.ts';
import type { Audio } from '../providers/ports.ts';

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
  /** Whether the audio is still there (a resumed contact synthesizes again if not). */
  has(ref: string): Promise<boolean>;
  /**
   * The call no longer needs the audio: removed now, or, where the telephony provider fetches
   * it from a public URL, once it has been kept for the retention time. Never throws.
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
  /** With a public URL, how long a file is kept after its call (Twilio fetches it when answered). */
  retentionMs?: number | undefined;
}

export const fileAudioStoreDefaults = { retentionMs: 3_600_000 };

export class FileAudioStore implements AudioStore {
  readonly #dir: string;
  readonly #publicBaseUrl: string | undefined;
  readonly #retentionMs: number;
  #lastSweep = 0;

  constructor(options: FileAudioStoreOptions) {
    this.#dir = options.dir;
    this.#publicBaseUrl = options.publicBaseUrl?.replace(/\/+$/, '');
    this.#retentionMs = options.retentionMs ?? fileAudioStoreDefaults.retentionMs;
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
    return stat(join(this.#dir, ref)).then(
      () => true,
      () => false,
    );
  }

  async release(ref: string): Promise<void> {
    if (this.#publicBaseUrl === undefined) await this.#remove(ref);
    if (Date.now() - this.#lastSweep >= this.#retentionMs / 4) await this.sweep();
  }

  /**
   * Removes the files older than the retention time (or every file already released when
   * nothing is served publicly: at start, what an earlier run left). A contact whose audio is
   * gone by the time its call is placed has it made again.
   */
  async sweep(): Promise<void> {
    this.#lastSweep = Date.now();
    const oldest = Date.now() - this.#retentionMs;
    const names = await readdir(this.#dir).catch((): string[] => []);
    for (const name of names.filter(isOwnName)) {
      const file = await stat(join(this.#dir, name)).catch(() => undefined);
      if (file !== undefined && file.mtimeMs < oldest) await this.#remove(name);
    }
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
