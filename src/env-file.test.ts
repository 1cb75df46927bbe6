import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvFileError, loadEnvFile } from './env-file.ts';

const root = mkdtempSync(join(tmpdir(), 'env-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, envText?: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  if (envText !== undefined) writeFileSync(join(dir, '.env'), envText);
  return dir;
}

describe('.env', () => {
  it('adds the variables the environment does not set; those it sets win', () => {
    const dir = folder(
      'both',
      '# keys\nOPENAI_API_KEY=sk-from-file\nexport DATABASE_PATH="data/q.db" # here\nLOG_LEVEL=\n',
    );
    const env: NodeJS.ProcessEnv = { OPENAI_API_KEY: 'sk-real', LOG_LEVEL: undefined };
    expect(loadEnvFile(env, dir)).toEqual(['DATABASE_PATH', 'LOG_LEVEL']);
    expect(env).toEqual({ OPENAI_API_KEY: 'sk-real', DATABASE_PATH: 'data/q.db', LOG_LEVEL: '' });
  });

  it('keeps a variable the environment sets to nothing', () => {
    const env: NodeJS.ProcessEnv = { TTS_FALLBACK_PROVIDER: '' };
    loadEnvFile(env, folder('empty', 'TTS_FALLBACK_PROVIDER=openai\n'));
    expect(env.TTS_FALLBACK_PROVIDER).toBe('');
  });

  it('does nothing without a .env file', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile(env, folder('none'))).toEqual([]);
    expect(env).toEqual({});
  });

  it('names a .env it cannot read', () => {
    const dir = folder('unreadable');
    mkdirSync(join(dir, '.env'));
    expect(() => loadEnvFile({}, dir)).toThrow(EnvFileError);
    expect(() => loadEnvFile({}, dir)).toThrow(/cannot read .*\.env: EISDIR/);
  });
});
