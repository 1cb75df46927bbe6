import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Audio } from '../providers/ports.ts';

/** Keeps synthesized audio so a resumed contact need not synthesize again. */
export interface AudioStore {
  /**
   * Stores audio under `key` (one per claim of a contact, so a worker whose lease ran out
   * cannot overwrite the audio of the worker that took the contact over); returns its reference.
   */
  save(key: string, audio: Audio): Promise<string>;
  /** A URL the telephony provider can fetch the audio from, if the store is served publicly. */
  urlFor(ref: string): string | undefined;
  load(ref: string): Promise<Audio | undefined>;
}

const extensions: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
};

function fileNameFor(key: string, contentType: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${safe}.${extensions[contentType] ?? 'bin'}`;
}

/** Audio files in a directory; with `publicBaseUrl`, Twilio plays them from there. */
export class FileAudioStore implements AudioStore {
  readonly #dir: string;
  readonly #publicBaseUrl: string | undefined;

  constructor(options: { dir: string; publicBaseUrl?: string | undefined }) {
    this.#dir = options.dir;
    this.#publicBaseUrl = options.publicBaseUrl?.replace(/\/+$/, '');
  }

  async save(key: string, audio: Audio): Promise<string> {
    await mkdir(this.#dir, { recursive: true });
    const name = fileNameFor(key, audio.contentType);
    await writeFile(join(this.#dir, name), audio.bytes);
    return name;
  }

  urlFor(ref: string): string | undefined {
    return this.#publicBaseUrl && `${this.#publicBaseUrl}/${encodeURIComponent(ref)}`;
  }

  async load(ref: string): Promise<Audio | undefined> {
    try {
      const bytes = await readFile(join(this.#dir, ref));
      const contentType = ref.endsWith('.mp3')
        ? 'audio/mpeg'
        : ref.endsWith('.wav')
          ? 'audio/wav'
          : 'application/octet-stream';
      return { bytes, contentType };
    } catch {
      return undefined;
    }
  }
}

/** Audio in memory, for the simulation and tests. */
export class MemoryAudioStore implements AudioStore {
  readonly #audio = new Map<string, Audio>();

  async save(key: string, audio: Audio): Promise<string> {
    const ref = fileNameFor(key, audio.contentType);
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
