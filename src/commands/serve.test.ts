import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.ts';
import { createOutput } from '../redaction/output.ts';
import { isLoopbackHost, serve } from './serve.ts';

describe('call-agent serve: where it listens', () => {
  it('refuses to listen beyond loopback without API_TOKEN, before opening anything', async () => {
    let stderr = '';
    const code = await serve({
      config: parseConfig({}),
      env: {},
      store: { queue: 'sqlite', db: '/nonexistent/never-opened.db' },
      host: '0.0.0.0',
      port: 0,
      concurrency: 1,
      logFormat: 'json',
      mockProviders: false,
      signal: new AbortController().signal,
      output: createOutput({
        stdout: { write: () => true },
        stderr: { write: (t) => (stderr += t) },
      }),
    });
    expect(code).toBe(1);
    expect(stderr).toBe(
      'call-agent serve: not listening on 0.0.0.0 without API_TOKEN: anyone who reaches it could call your contacts; set API_TOKEN, or listen on 127.0.0.1\n',
    );
  });

  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.20', false],
    ['example.com', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
