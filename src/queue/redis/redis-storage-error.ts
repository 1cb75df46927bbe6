import { QueueStorageError } from '../queue-storage-error.ts';

/** Redis's refusals of a write, by the first word of its error reply, as storage codes. */
const STORAGE_REPLIES: Readonly<Record<string, string>> = {
  QUEUE_FULL: 'QUEUE_FULL',
  OOM: 'REDIS_OOM',
  READONLY: 'REDIS_READONLY',
  MISCONF: 'REDIS_MISCONF',
  NOREPLICAS: 'REDIS_NOREPLICAS',
  BUSY: 'REDIS_BUSY',
};

/**
 * A Redis error reply (the server refused or failed the write) as a QueueStorageError, which
 * stops the run: it is never taken for a success, nor retried blindly. Anything else (the
 * queue closed, a bug) is returned as it is.
 */
export function asQueueStorageError(error: unknown, location: string): unknown {
  if (!(error instanceof Error) || error.name !== 'ReplyError') return error;
  const word = error.message.split(' ', 1)[0] ?? '';
  return new QueueStorageError(location, STORAGE_REPLIES[word] ?? 'REDIS_ERROR', error);
}
