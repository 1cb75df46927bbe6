/**
 * Files that hold personal data (the queue database, the Sheets spill file, synthesized
 * audio) are created readable by their owner only: files 0600, the folders we create 0700.
 * A folder or file that already exists keeps its mode: it is the operator's. A leaf module:
 * it imports nothing of the project.
 */
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `path` and any missing parent, each 0700. */
export async function makePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates `path` and any missing parent, each 0700. */
export function makePrivateDirSync(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Writes a new 0600 file; rejects with `EEXIST` rather than overwrite one. */
export async function writeNewPrivateFile(path: string, data: Uint8Array | string): Promise<void> {
  await writeFile(path, data, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
}

/** Appends to `path`, creating it 0600. */
export function appendPrivateFileSync(path: string, data: string): void {
  appendFileSync(path, data, { mode: PRIVATE_FILE_MODE });
}

/** Replaces `path` in one step (a fresh 0600 temporary file renamed over it). */
export function replacePrivateFileSync(path: string, data: Uint8Array | string): void {
  const temporary = `${path}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, data, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  renameSync(temporary, path);
}

/** Creates an empty 0600 file at `path` unless one exists (e.g. before SQLite opens it). */
export function createPrivateFileSync(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}
