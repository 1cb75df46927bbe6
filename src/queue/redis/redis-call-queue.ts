import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../resilience/index.ts';
import {
  LeaseLostError,
  requeuedCheckpoints,
  type CallQueue,
  type Checkpoints,
  type ClaimedContact,
  type ContactState,
  type ContactStatus,
  type DeferOptions,
  type EnqueueResult,
  type HeldLeases,
  type ListOptions,
  type OutboxEntry,
  type QueuedContactData,
  type RequeueResult,
  type StateCounts,
  type WaitingContacts,
} from '../call-queue.ts';
import { currentHolder, type LeaseHolder } from '../lease-holder.ts';
import {
  assertContact,
  assertDeferral,
  assertLease,
  assertMaxFailedAttempts,
} from '../queue-input.ts';
import { contactData } from '../sqlite-rows.ts';
import type { LuaScript } from './lua-script.ts';
import type {
  ContactPage,
  ListedContact,
  PageOptions,
  QueueAdmin,
  RemoveResult,
} from '../queue-admin.ts';
import * as admin from './admin-scripts.ts';
import * as scripts from './queue-scripts.ts';
import { RedisContactHistory, type RedisContactHistoryOptions } from './redis-contact-history.ts';
import {
  checkpointArgs,
  toClaimed,
  toEnqueueResult,
  toHeldLeases,
  toListed,
  toOutboxEntries,
  toRequeueResult,
  toStatus,
  toWaiting,
  type RecordReply,
  type WaitingRow,
} from './redis-records.ts';
import { QueueStorageError } from '../queue-storage-error.ts';
import { asQueueStorageError } from './redis-storage-error.ts';

export interface RedisCallQueueOptions {
  /** The connection; the queue never closes it. */
  redis: Redis;
  /** Prefix of every key, e.g. `call-agent`; it becomes the keys' `{hash tag}`. */
  prefix: string;
  /**
   * Where time comes from. Default: Redis's own `TIME`, read inside each script, so every
   * worker of the fleet agrees on lease expiries and due times whatever its own clock says.
   */
  clock?: Clock | undefined;
  /** Counted failures (`defer` with `countsAsFailure`) after which a contact fails. */
  maxFailedAttempts?: number;
  /** Who this process is, as recorded on each lease it takes (default: this process). */
  holder?: LeaseHolder | undefined;
  /**
   * The queue never holds more than about this many bytes of contacts, checkpoints and outbox
   * records: a write that would go past it is refused (QueueStorageError, `QUEUE_FULL`), so
   * one campaign cannot fill a Redis it shares. Default: no cap but Redis's `maxmemory`.
   */
  maxBytes?: number | undefined;
  /** How the queue is named in errors (a URL without its password). */
  location?: string | undefined;
  /**
   * Replicas that must have a contact's "call started" mark (`callStartedAt`) before the
   * checkpoint resolves, and so before the call is placed: Redis `WAIT`. A failover to a
   * replica that lacks the mark would place the call again without looking it up first.
   * Default: 0 (no wait).
   */
  replicasBeforeCall?: number | undefined;
  /** How long `WAIT` waits for them; fewer by then is a QueueStorageError. Default 1 s. */
  replicaTimeoutMs?: number | undefined;
}

export const redisCallQueueDefaults = {
  maxFailedAttempts: 5,
  maxBytes: 0,
  replicasBeforeCall: 0,
  replicaTimeoutMs: 1_000,
};

const STATES = ['pending', 'in_progress', 'completed', 'failed', 'deferred'] as const;

/**
 * The call queue on Redis, for a fleet of workers: the same states, leases, checkpoints and
 * outbox as the SQLite queue, each operation one Lua script (atomic, one round trip). A
 * write resent after a lost reply (a reconnect) is answered from what it did, never applied
 * twice. See `queue-scripts.ts` for the keys.
 */
export class RedisCallQueue implements CallQueue, QueueAdmin {
  readonly prefix: string;
  readonly maxFailedAttempts: number;
  readonly #redis: Redis;
  readonly #clock: Clock | undefined;
  readonly #holder: string;
  readonly #maxBytes: number;
  readonly #location: string;
  readonly #replicas: { count: number; timeoutMs: number };
  #closed = false;

  constructor(options: RedisCallQueueOptions) {
    const resolved = { ...redisCallQueueDefaults, ...withoutUndefined(options) };
    assertMaxFailedAttempts(resolved.maxFailedAttempts);
    if (!/^[^{}\s]+$/.test(resolved.prefix)) {
      throw new RangeError(`a Redis key prefix has no braces or spaces, got "${resolved.prefix}"`);
    }
    this.prefix = `{${resolved.prefix}}`;
    this.maxFailedAttempts = resolved.maxFailedAttempts;
    this.#redis = resolved.redis;
    this.#clock = resolved.clock;
    const { host, pid, started } = resolved.holder ?? currentHolder();
    this.#holder = JSON.stringify([host, pid, started]);
    this.#maxBytes = resolved.maxBytes;
    this.#location = resolved.location ?? `redis ${this.prefix}`;
    this.#replicas = { count: resolved.replicasBeforeCall, timeoutMs: resolved.replicaTimeoutMs };
    if (!(Number.isInteger(this.#replicas.count) && this.#replicas.count >= 0)) {
      throw new RangeError(`replicasBeforeCall is a whole number ≥ 0, got ${this.#replicas.count}`);
    }
  }

  async enqueue(contacts: readonly QueuedContactData[]): Promise<EnqueueResult> {
    contacts.forEach(assertContact);
    const args = contacts.flatMap((c) => [c.id, c.phone, JSON.stringify(contactData(c))]);
    const verdicts = (await this.#run(
      scripts.enqueueScript,
      String(contacts.length),
      ...args,
    )) as string[];
    return toEnqueueResult(verdicts, contacts);
  }

  async claim(workerId: string, leaseMs: number): Promise<ClaimedContact | undefined> {
    assertLease(leaseMs);
    const token = randomUUID();
    const reply = (await this.#run(
      scripts.claimScript,
      ms(leaseMs),
      token,
      workerId,
      this.#holder,
    )) as RecordReply | null;
    return reply === null ? undefined : toClaimed(reply, token);
  }

  async renew(id: string, leaseToken: string, leaseMs: number): Promise<boolean> {
    assertLease(leaseMs);
    return (await this.#run(scripts.renewScript, id, leaseToken, ms(leaseMs))) === 1;
  }

  async leases(): Promise<HeldLeases[]> {
    return toHeldLeases((await this.#run(scripts.leasesScript)) as Array<[string, string]>);
  }

  async releaseLeases(holder: LeaseHolder): Promise<number> {
    const key = JSON.stringify([holder.host, holder.pid, holder.started]);
    return (await this.#run(scripts.releaseLeasesScript, key)) as number;
  }

  async checkpoint(id: string, leaseToken: string, patch: Checkpoints): Promise<void> {
    const args = checkpointArgs(patch);
    if ((await this.#run(scripts.checkpointScript, id, leaseToken, ...args)) !== 1) {
      throw new LeaseLostError(id);
    }
    if (patch.callStartedAt !== undefined) await this.#awaitReplicas();
  }

  /** Resolves once the replicas asked for have every write this connection made. */
  async #awaitReplicas(): Promise<void> {
    const { count, timeoutMs } = this.#replicas;
    if (count === 0) return;
    const acknowledged = await this.#redis.wait(count, timeoutMs).catch((error: unknown) => {
      throw asQueueStorageError(error, this.#location);
    });
    if (acknowledged < count) {
      const cause = new Error(
        `the "call started" mark reached ${acknowledged} of ${count} replica${count === 1 ? '' : 's'} within ${timeoutMs} ms`,
      );
      throw new QueueStorageError(this.#location, 'REDIS_REPLICAS_BEHIND', cause);
    }
  }

  complete(id: string, leaseToken: string, checkpoints?: Checkpoints): Promise<void> {
    return this.#finish(id, leaseToken, 'completed', '', checkpoints);
  }

  fail(id: string, leaseToken: string, reason: string, checkpoints?: Checkpoints): Promise<void> {
    return this.#finish(id, leaseToken, 'failed', reason, checkpoints);
  }

  async #finish(
    id: string,
    token: string,
    state: 'completed' | 'failed',
    reason: string,
    checkpoints: Checkpoints | undefined,
  ): Promise<void> {
    const args = [id, token, randomUUID(), state, reason, ...checkpointArgs(checkpoints)];
    if ((await this.#run(scripts.finishScript, ...args)) !== 1) throw new LeaseLostError(id);
  }

  async defer(id: string, leaseToken: string, options: DeferOptions): Promise<ContactState> {
    assertDeferral(options);
    const state = (await this.#run(
      scripts.deferScript,
      id,
      leaseToken,
      randomUUID(),
      options.countsAsFailure ? 1 : 0,
      this.maxFailedAttempts,
      // rounded up: a deferred contact is never due before the time it was given
      Math.ceil(options.notBefore),
      options.reason,
      options.service ?? '',
      options.untilReleased ? 1 : 0,
      ...checkpointArgs(options.checkpoints),
    )) as ContactState | null;
    if (state === null) throw new LeaseLostError(id);
    return state;
  }

  async status(id: string): Promise<ContactStatus | undefined> {
    const reply = (await this.#run(scripts.statusScript, id)) as RecordReply | null;
    return reply === null ? undefined : toStatus(reply);
  }

  async list(state?: ContactState, options: ListOptions = {}): Promise<ContactStatus[]> {
    const limit = options.limit === undefined ? -1 : Math.max(0, Math.floor(options.limit));
    const replies = (await this.#run(scripts.listScript, state ?? '', limit)) as RecordReply[];
    return replies.map(toStatus);
  }

  async counts(): Promise<StateCounts> {
    const counts = (await this.#run(scripts.countsScript, ...STATES)) as number[];
    return Object.fromEntries(STATES.map((state, i) => [state, counts[i] ?? 0])) as StateCounts;
  }

  async waiting(): Promise<WaitingContacts[]> {
    return toWaiting((await this.#run(scripts.waitingScript)) as WaitingRow[]);
  }

  async releaseWaiting(service?: string, limit = Number.MAX_SAFE_INTEGER): Promise<number> {
    const all = service === undefined ? 1 : 0;
    const count = Math.max(0, Math.floor(limit));
    return (await this.#run(scripts.releaseScript, service ?? '', count, all)) as number;
  }

  async requeue(ids?: readonly string[]): Promise<RequeueResult> {
    // Which checkpoints each keeps is decided here, by the one rule (requeuedCheckpoints);
    // the script puts back only those still failed.
    const asked = ids === undefined ? undefined : [...new Set(ids)];
    const candidates =
      asked === undefined ? await this.list('failed') : await this.#statuses(asked);
    const keep = new Map(
      candidates
        .filter((status) => status !== undefined)
        .map((status) => [
          status.id,
          requeuedCheckpoints(status.checkpoints) === status.checkpoints,
        ]),
    );
    const order = asked ?? [...keep.keys()];
    const args = order.flatMap((id) => [id, keep.get(id) ? '1' : '0']);
    const verdicts = (await this.#run(
      scripts.requeueScript,
      String(order.length),
      ...args,
    )) as string[];
    return toRequeueResult(order, verdicts);
  }

  async #statuses(ids: readonly string[]): Promise<Array<ContactStatus | undefined>> {
    return Promise.all(ids.map((id) => this.status(id)));
  }

  async hasUnfinished(): Promise<boolean> {
    const { pending, in_progress, deferred } = await this.counts();
    return pending + in_progress + deferred > 0;
  }

  async nextDueAt(): Promise<number | undefined> {
    this.#assertOpen();
    const first = await this.#redis
      .zrange(`${this.prefix}:due`, 0, 0, 'WITHSCORES')
      .catch((error: unknown) => {
        throw asQueueStorageError(error, this.#location);
      });
    return first[1] === undefined ? undefined : Number(first[1]);
  }

  async addToOutbox(contactId: string, payload: unknown): Promise<void> {
    const json = JSON.stringify(payload) ?? 'null';
    await this.#run(scripts.outboxAddScript, contactId, json, randomUUID());
  }

  async peekOutbox(limit: number): Promise<OutboxEntry[]> {
    return toOutboxEntries(
      (await this.#run(scripts.outboxPeekScript, Math.floor(limit))) as string[][],
    );
  }

  async removeFromOutbox(id: number): Promise<void> {
    await this.#run(scripts.outboxRemoveScript, id);
  }

  async markOutboxAttempt(id: number): Promise<void> {
    await this.#run(scripts.outboxAttemptScript, id);
  }

  async outboxSize(): Promise<number> {
    this.#assertOpen();
    return this.#redis.zcard(`${this.prefix}:ob`).catch((error: unknown) => {
      throw asQueueStorageError(error, this.#location);
    });
  }

  async page(options: PageOptions): Promise<ContactPage> {
    const limit = Math.max(0, Math.floor(options.limit));
    const before = options.before === undefined ? '' : Math.floor(options.before);
    const args = [options.state ?? '', before, limit + 1];
    const rows = ((await this.#run(admin.pageScript, ...args)) as RecordReply[]).map(toListed);
    const contacts = rows.slice(0, limit);
    return { contacts, next: rows.length > limit ? contacts.at(-1)?.seq : undefined };
  }

  async find(key: { id: string } | { seq: number }): Promise<ListedContact | undefined> {
    const [kind, value] = 'id' in key ? ['id', key.id] : ['seq', Math.floor(key.seq)];
    const reply = (await this.#run(admin.findScript, kind, value)) as RecordReply | null;
    return reply === null ? undefined : toListed(reply);
  }

  async remove(id: string): Promise<RemoveResult> {
    return (await this.#run(admin.removeScript, id)) as RemoveResult;
  }

  /** The contacts' event histories beside them, written as `origin` (see RedisContactHistory). */
  contactHistory(options?: RedisContactHistoryOptions): RedisContactHistory {
    return new RedisContactHistory((script, ...args) => this.#run(script, ...args), options);
  }

  /** Later calls reject; the connection is its owner's to close. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Runs a script with the three arguments every script takes first. */
  async #run(script: LuaScript, ...args: Array<string | number>): Promise<unknown> {
    this.#assertOpen();
    const now = this.#clock === undefined ? '' : Math.floor(this.#clock.now());
    try {
      return await script.run(this.#redis, [this.prefix, now, this.#maxBytes, ...args]);
    } catch (error) {
      throw asQueueStorageError(error, this.#location);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`call queue ${this.#location} is closed`);
  }
}

/** Durations are whole milliseconds. */
function ms(value: number): number {
  return Math.round(value);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
