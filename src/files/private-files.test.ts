import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendPrivateFileSync,
  createPrivateFileSync,
  makePrivateDir,
  makePrivateDirSync,
  replacePrivateFileSync,
  writeNewPrivateFile,
} from './private-files.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'private-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('private folders', () => {
  it('creates every missing folder 0700', async () => {
    await makePrivateDir(join(dir, 'a', 'b'));
    makePrivateDirSync(join(dir, 'c', 'd'));
    for (const path of ['a', 'a/b', 'c', 'c/d']) expect(await modeOf(join(dir, path))).toBe(0o700);
  });

  it('leaves a folder that exists as it is', async () => {
    await chmod(dir, 0o755);
    await makePrivateDir(dir);
    makePrivateDirSync(dir);
    expect(await modeOf(dir)).toBe(0o755);
  });
});

describe('private files', () => {
  it('writes a new file 0600, and never over an existing one', async () => {
    const path = join(dir, 'new.bin');
    await writeNewPrivateFile(path, Buffer.from('one'));
    expect(await modeOf(path)).toBe(0o600);
    await expect(writeNewPrivateFile(path, Buffer.from('two'))).rejects.toMatchObject({
      code: 'EEXIST',
    });
    expect(await readFile(path, 'utf8')).toBe('one');
  });

  it('appends, creating the file 0600', async () => {
    const path = join(dir, 'spill.jsonl');
    appendPrivateFileSync(path, 'a\n');
    appendPrivateFileSync(path, 'b\n');
    expect(await readFile(path, 'utf8')).toBe('a\nb\n');
    expect(await modeOf(path)).toBe(0o600);
  });

  it('replaces a file in one step with a 0600 one, even past a stale temporary file', async () => {
    const path = join(dir, 'spill.jsonl');
    await writeFile(`${path}.tmp`, 'stale', { mode: 0o644 });
    replacePrivateFileSync(path, 'rest\n');
    expect(await readFile(path, 'utf8')).toBe('rest\n');
    expect(await modeOf(path)).toBe(0o600);
  });

  it('creates an empty file 0600 when missing and keeps the content of one that exists', async () => {
    const path = join(dir, 'queue.db');
    createPrivateFileSync(path);
    expect(await modeOf(path)).toBe(0o600);
    await writeFile(path, 'data');
    createPrivateFileSync(path);
    expect(await readFile(path, 'utf8')).toBe('data');
  });
});
