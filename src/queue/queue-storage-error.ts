/**
 * The queue's storage failed: a write did not commit (disk full, I/O error, read-only file)
 * or the file cannot be used (corrupt, not a database, cannot be opened). Never retried
 * silently: the run stops, and the contacts in flight are found again by the next run.
 */
export class QueueStorageError extends Error {
  readonly code = 'E_QUEUE_STORAGE';
  /** The database file. */
  readonly path: string;
  /** The storage's own code, e.g. `SQLITE_FULL`. */
  readonly storageCode: string | undefined;

  constructor(path: string, storageCode: string | undefined, cause: unknown) {
    const what = cause instanceof Error ? cause.message : String(cause);
    const code = storageCode === undefined ? '' : ` (${storageCode})`;
    super(`call queue database ${path}: ${what}${code}${adviceFor(storageCode)}`, { cause });
    this.path = path;
    this.storageCode = storageCode;
  }

  override get name(): string {
    return 'QueueStorageError';
  }
}

/** What a person can do about it. */
function adviceFor(code: string | undefined): string {
  const family = code?.replace(/^(SQLITE_[A-Z]+).*$/, '$1');
  switch (family) {
    case 'SQLITE_FULL':
      return ': free disk space, then run again (nothing is lost: unfinished contacts stay queued)';
    case 'SQLITE_READONLY':
      return ': the file or its folder is not writable by this user';
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return ': the file is damaged or is not a call-agent database';
    case 'SQLITE_IOERR':
      return ': the disk reported an I/O error (full, removed or failing)';
    case 'SQLITE_CANTOPEN':
      return ': check that the folder exists and is writable';
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return ': another process held the database locked for too long';
    case 'QUEUE_FULL':
      return ': the queue reached its byte cap; raise it, or clear finished campaigns (nothing is lost)';
    case 'REDIS_OOM':
      return ': Redis reached its maxmemory (with maxmemory-policy noeviction it refuses writes rather than evict): free memory or raise maxmemory, then run again (nothing is lost)';
    case 'REDIS_READONLY':
      return ': this Redis is a read-only replica (a failover in progress?): point REDIS_URL at the primary';
    case 'REDIS_REPLICAS_BEHIND':
      return ': the call was not placed (a failover now could lose the mark and call the person again): check the replicas and their lag, then start the workers again (nothing is lost)';
    case 'REDIS_MISCONF':
      return ': Redis cannot persist to disk and refuses writes: see its log';
    default:
      return '';
  }
}

/** True for an error of this class, also from another copy of the package. */
export function isQueueStorageError(error: unknown): error is QueueStorageError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'E_QUEUE_STORAGE'
  );
}
