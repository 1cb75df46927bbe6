import type { FastifyError, FastifyInstance } from 'fastify';
import { isQueueStorageError } from '../queue/queue-storage-error.ts';
import { HttpProblem } from './http-problem.ts';

/** Fastify's own errors, as the API names them. */
const FASTIFY_ERRORS: Readonly<Record<string, { status: number; error: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, error: 'unsupported_media_type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'bad_request' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'bad_request' },
};

/** Storage codes of a queue that is full: the client may try again once room is made. */
const FULL = /^(SQLITE_FULL|QUEUE_FULL|REDIS_OOM)/;

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

/**
 * Every error leaves as `{ error, message }` with its status: an HttpProblem as it says, a body
 * Fastify could not read as 400 (413 too large, 415 an unknown type), a queue write its
 * storage refused as 507 when the queue is full and 503 otherwise (the write did not happen;
 * logged too), anything else as 500 with no detail (logged through `onInternalError`,
 * redacted).
 */
export function installErrorHandler(
  app: FastifyInstance,
  onInternalError: (error: unknown) => void,
): void {
  app.setErrorHandler((error: unknown, _request, reply) => {
    if (error instanceof HttpProblem) {
      return reply.status(error.status).send({ error: error.error, message: error.message });
    }
    if (isQueueStorageError(error)) {
      onInternalError(error);
      const full = FULL.test(error.storageCode ?? '');
      return reply
        .status(full ? 507 : 503)
        .send({ error: full ? 'queue_full' : 'queue_storage', message: error.message });
    }
    if (isFastifyError(error)) {
      const known = FASTIFY_ERRORS[error.code];
      if (known)
        return reply.status(known.status).send({ error: known.error, message: error.message });
      // a JSON body that does not parse: Fastify's SyntaxError carries status 400
      if (error.statusCode === 400) {
        return reply.status(400).send({ error: 'bad_request', message: error.message });
      }
    }
    onInternalError(error);
    return reply.status(500).send({ error: 'internal', message: 'internal error (see the log)' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );
}
