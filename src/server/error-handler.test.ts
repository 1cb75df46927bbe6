import Fastify from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { QueueStorageError } from '../queue/queue-storage-error.ts';
import { installErrorHandler } from './error-handler.ts';

const apps: Array<ReturnType<typeof Fastify>> = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** An app whose one route throws `error`; what reached the log is in `logged`. */
function throwing(error: unknown) {
  const app = Fastify();
  apps.push(app);
  const logged: unknown[] = [];
  installErrorHandler(app, (e) => logged.push(e));
  app.post('/calls', () => {
    throw error;
  });
  return { app, logged };
}

it('answers a full queue with 507 and what to do, so a client can try again later', async () => {
  const cause = new Error('OOM command not allowed when used memory > maxmemory');
  const error = new QueueStorageError('redis://127.0.0.1:6379 {q}', 'REDIS_OOM', cause);
  const { app, logged } = throwing(error);
  const response = await app.inject({ method: 'POST', url: '/calls' });
  expect(response.statusCode).toBe(507);
  expect(response.json()).toEqual({ error: 'queue_full', message: error.message });
  expect(response.json().message).toContain('free memory or raise maxmemory');
  expect(logged).toEqual([error]);
});

it('answers any other storage refusal with 503, never a bare 500', async () => {
  const error = new QueueStorageError('q.db', 'SQLITE_READONLY', new Error('readonly database'));
  const response = await throwing(error).app.inject({ method: 'POST', url: '/calls' });
  expect(response.statusCode).toBe(503);
  expect(response.json()).toMatchObject({ error: 'queue_storage' });
});

it('still hides the detail of an unexpected error', async () => {
  const response = await throwing(new Error('secret detail')).app.inject({
    method: 'POST',
    url: '/calls',
  });
  expect(response.statusCode).toBe(500);
  expect(response.body).not.toContain('secret detail');
});
