import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
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
export class FileAudioStore implements AudioStore {
  readonly #dir: string;
  readonly #publicBaseUrl: string | undefined;

  constructor(options: { dir: string; publicBaseUrl?: string | undefined }) {
    this.#dir = options.dir;
    this.#publicBaseUrl = options.publicBaseUrl?.replace(/\/+$/, '');
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
    if (ref !== basename(ref) || ref.startsWith('.')) return undefined; // only our own files
    try {
      return { bytes: await readFile(join(this.#dir, ref)), contentType: contentTypeOf(ref) };
    } catch {
      return undefined;
    }
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
}
