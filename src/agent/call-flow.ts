import type {
  CallRecord,
  ContactInfo,
  Crm,
  ScriptWriter,
  SpeechSynthesizer,
  Telephony,
} from '../providers/ports.ts';
import type { CallQueue, Checkpoints, ClaimedContact } from '../queue/call-queue.ts';
import { LeaseLostError } from '../queue/call-queue.ts';
import { isQueueStorageError } from '../queue/queue-storage-error.ts';
import {
  describeError,
  isPermanentError,
  type Clock,
  type ServicePolicy,
} from '../resilience/index.ts';
import type { EventEmitter } from '../resilience/events.ts';
import type { AgentEvent } from './agent-events.ts';
import { isAudioStoreError, type AudioStore } from './audio-store.ts';
import { StepLog } from './step-log.ts';
import { isBlocked, StepFailure, verdictFor } from './step-failure.ts';
import { speakWith } from './voices.ts';
import { templateScript } from './template-script.ts';
import { TurnBudget } from './turn-budget.ts';

/** The provider of each role, with the policy that protects it. */
export interface ServiceBinding<P> {
  provider: P;
  policy: ServicePolicy;
}

export interface CallFlowServices {
  llm: ServiceBinding<ScriptWriter>;
  tts: ServiceBinding<SpeechSynthesizer>;
  /** A second voice, used while the first is unavailable. */
  ttsFallback?: ServiceBinding<SpeechSynthesizer> | undefined;
  telephony: ServiceBinding<Telephony>;
  crm: ServiceBinding<Crm>;
}

export interface CallFlowOptions {
  services: CallFlowServices;
  queue: CallQueue;
  audio: AudioStore;
  events: EventEmitter<AgentEvent>;
  clock: Clock;
  /** How long a contact waits after a transient failure when nothing says otherwise. */
  retryDelayMs?: number;
  /**
   * A contact that took the template script and was then deferred (before its voice was made)
   * asks the LLM again when it resumes, for this long after the template was written.
   */
  retryTemplateForMs?: number;
  /** Shares the event loop's turns with the worker's slots (default: a budget of its own). */
  turns?: TurnBudget;
}

export const callFlowDefaults = { retryDelayMs: 10_000, retryTemplateForMs: 3_600_000 };

export type ContactOutcome =
  | { kind: 'completed'; degraded: boolean }
  | { kind: 'failed'; reason: string }
  | { kind: 'deferred'; notBefore: number; reason: string }
  | { kind: 'lease_lost' };

/** Names no service: the failure was the agent's own. */
const AGENT = 'agent';

/**
 * One contact through LLM → TTS → telephony → CRM, each step through its service's policy,
 * with the degradation rules of docs/architecture.md. Finished steps are checkpointed, so a
 * resumed contact never repeats a non-idempotent one; a call in doubt is looked up before
 * another is placed. Writes are few (a contact costs four): the script and the audio are
 * saved with the write that marks the call as started (or with the deferral, if a step
 * fails before it), and the CRM outcome with the completion.
 */
export class CallFlow {
  readonly #services: CallFlowServices;
  readonly #queue: CallQueue;
  readonly #audio: AudioStore;
  readonly #events: EventEmitter<AgentEvent>;
  readonly #clock: Clock;
  readonly #retryDelayMs: number;
  readonly #retryTemplateForMs: number;
  readonly #turns: TurnBudget;

  constructor(options: CallFlowOptions) {
    this.#services = options.services;
    this.#queue = options.queue;
    this.#audio = options.audio;
    this.#events = options.events;
    this.#clock = options.clock;
    this.#retryDelayMs = options.retryDelayMs ?? callFlowDefaults.retryDelayMs;
    this.#retryTemplateForMs = options.retryTemplateForMs ?? callFlowDefaults.retryTemplateForMs;
    this.#turns = options.turns ?? new TurnBudget({ clock: options.clock });
  }

  async process(claimed: ClaimedContact, signal?: AbortSignal): Promise<ContactOutcome> {
    const { contact, leaseToken } = claimed;
    const steps = new StepLog(claimed.checkpoints);
    const save = (patch: Checkpoints): Promise<void> =>
      steps.flush((unsaved) => this.#queue.checkpoint(contact.id, leaseToken, unsaved), patch);
    // A step ahead whose service refuses calls now: wait for it without paying for the others.
    const refused = this.#refusedAhead(contact.id, steps.done);
    if (refused) return this.#settle(contact.id, leaseToken, refused, steps);
    try {
      if (steps.done.script === undefined || this.#asksAgain(steps.done)) {
        steps.note(await this.#step(this.#writeScript(contact, steps.done.templatedAt, signal)));
      }
      const script = steps.done.script ?? '';
      if (steps.done.callSid === undefined && !(await this.#audioReady(steps.done))) {
        steps.note(await this.#step(this.#speak(contact, script, signal)));
      }
      if (steps.done.callSid === undefined) {
        const callStartedAt = steps.done.callStartedAt;
        // durable before the call is placed: from here on a retry looks the call up first
        if (callStartedAt === undefined) await save({ callStartedAt: this.#now() });
        const callSid = await this.#step(
          this.#placeCall(contact, steps.done, callStartedAt !== undefined, signal),
        );
        await save({ callSid });
        // the call has it (or fetches it from the public URL within the retention time)
        if (steps.done.audioRef !== undefined) await this.#audio.release(steps.done.audioRef);
      }
      const degraded =
        steps.done.scriptDegraded === true ||
        steps.done.voiceProvider !== this.#services.tts.provider.service;
      if (steps.done.crmDone === undefined) {
        // an earlier claim placed the call: it may have written the record before it stopped
        const inDoubt = claimed.checkpoints.callSid !== undefined;
        steps.note({
          crmDone: await this.#step(this.#record(contact, steps.done, degraded, inDoubt, signal)),
        });
      }
      await steps.flush((unsaved) => this.#queue.complete(contact.id, leaseToken, unsaved));
      this.#emit({
        type: 'contact_completed',
        contactId: contact.id,
        callSid: steps.done.callSid ?? '',
        degraded,
      });
      return { kind: 'completed', degraded };
    } catch (error) {
      if (error instanceof LeaseLostError) return { kind: 'lease_lost' };
      // Our own storage failed (a full disk): nothing more is done; the run stops.
      if (isQueueStorageError(error) || isAudioStoreError(error)) throw error;
      if (error instanceof StepFailure) return this.#settle(contact.id, leaseToken, error, steps);
      // a bug of ours: reported with its stack, and the contact tries again later (counted)
      const info = describeError(error);
      this.#emit({
        type: 'programming_error',
        contactId: contact.id,
        message: info.message,
        stack: info.stack ?? (error instanceof Error ? error.stack : undefined),
      });
      const failure = new StepFailure(AGENT, {
        kind: 'defer',
        notBefore: this.#now() + this.#retryDelayMs,
        reason: `unexpected error: ${info.message}`,
        countsAsFailure: true,
        untilReleased: false,
      });
      return this.#settle(contact.id, leaseToken, failure, steps);
    }
  }

  /**
   * A provider's step, then a pass through the turn budget: what follows its answer (queue
   * writes, the next request, a deferral) waits its turn when many answers come in together.
   */
  async #step<T>(step: Promise<T>): Promise<T> {
    try {
      return await step;
    } finally {
      const turn = this.#turns.pass();
      if (turn) await turn;
    }
  }

  async #settle(
    contactId: string,
    leaseToken: string,
    failure: StepFailure,
    steps: StepLog,
  ): Promise<ContactOutcome> {
    const { verdict, service } = failure;
    try {
      if (verdict.kind === 'fail') {
        await steps.flush((unsaved) =>
          this.#queue.fail(contactId, leaseToken, verdict.reason, unsaved),
        );
        this.#emit({ type: 'contact_failed', contactId, service, reason: verdict.reason });
        return { kind: 'failed', reason: verdict.reason };
      }
      const state = await steps.flush((checkpoints) =>
        this.#queue.defer(contactId, leaseToken, {
          ...verdict,
          checkpoints,
          service: service === AGENT ? undefined : service,
        }),
      );
      if (state === 'failed') {
        this.#emit({ type: 'contact_failed', contactId, service, reason: verdict.reason });
        return { kind: 'failed', reason: verdict.reason };
      }
      const { notBefore, reason, countsAsFailure, untilReleased } = verdict;
      this.#emit({
        type: 'contact_deferred',
        contactId,
        service,
        notBefore,
        reason,
        countsAsFailure,
        untilReleased,
      });
      return { kind: 'deferred', notBefore, reason };
    } catch (error) {
      if (error instanceof LeaseLostError) return { kind: 'lease_lost' };
      throw error;
    }
  }

  /**
   * Whether the audio for the call is there: made, and not swept away since (a contact that
   * waited past the retention time has it made again; a call in doubt is still looked up
   * before any is placed).
   */
  async #audioReady(done: Checkpoints): Promise<boolean> {
    return done.audioRef !== undefined && (await this.#audio.has(done.audioRef));
  }

  /**
   * Whether a template script a deferral kept should give way to the LLM's: while nothing was
   * spoken with it yet, and for a while after it was written (a short LLM outage must not
   * degrade every contact that happened to wait through it).
   */
  #asksAgain(done: Checkpoints): boolean {
    if (done.scriptDegraded !== true || done.audioRef !== undefined) return false;
    return this.#now() - (done.templatedAt ?? 0) < this.#retryTemplateForMs;
  }

  /** The LLM's script, or the template's (keeping when a template was first written). */
  async #writeScript(
    contact: ContactInfo,
    templatedAt: number | undefined,
    signal?: AbortSignal,
  ): Promise<Checkpoints> {
    const { provider, policy } = this.#services.llm;
    try {
      const script = await policy.execute(
        (attempt) => provider.writeScript(contact, attempt.signal),
        {
          signal,
          context: { contactId: contact.id },
        },
      );
      return { script, scriptDegraded: false, templatedAt: undefined };
    } catch (error) {
      this.#throwIfAborted(policy, error, signal);
      this.#degraded(contact.id, provider.service, 'template script', error);
      return {
        script: templateScript(contact),
        scriptDegraded: true,
        templatedAt: templatedAt ?? this.#now(),
      };
    }
  }

  /**
   * Synthesizes the script (the fallback voice standing in for the first), then stores the
   * audio. Storing is local: a failure there is no voice's fault and buys no second synthesis;
   * it ends the run like a queue failure (AudioStoreError).
   */
  async #speak(contact: ContactInfo, script: string, signal?: AbortSignal): Promise<Checkpoints> {
    const { tts, ttsFallback } = this.#services;
    const spoken = await speakWith([tts, ttsFallback], contact, script, {
      signal,
      failure: (policy, error) => this.#failure(policy, error, signal),
    });
    if (spoken.degraded) {
      this.#emit({
        type: 'step_degraded',
        contactId: contact.id,
        service: this.#services.tts.provider.service,
        fallback: `fallback voice ${spoken.source}`,
        reason: spoken.failures[0]?.error.message ?? '',
      });
    }
    return { audioRef: await this.#audio.save(spoken.value), voiceProvider: spoken.source };
  }

  async #placeCall(
    contact: ContactInfo,
    checkpoints: Checkpoints,
    inDoubt: boolean,
    signal?: AbortSignal,
  ): Promise<string> {
    const { provider, policy } = this.#services.telephony;
    const startedAt = new Date(checkpoints.callStartedAt ?? this.#now());
    const audioUrl =
      checkpoints.audioRef === undefined ? undefined : this.#audio.urlFor(checkpoints.audioRef);
    try {
      const placed = await policy.execute(
        (attempt) =>
          provider.placeCall(
            {
              contactId: contact.id,
              to: contact.phone,
              script: checkpoints.script ?? '',
              audioUrl,
              lookUpSince: inDoubt || attempt.attempt > 0 ? startedAt : undefined,
            },
            attempt.signal,
          ),
        { signal, context: { contactId: contact.id } },
      );
      return placed.callSid;
    } catch (error) {
      throw this.#failure(policy, error, signal);
    }
  }

  async #record(
    contact: ContactInfo,
    checkpoints: Checkpoints,
    degraded: boolean,
    lookUpFirst: boolean,
    signal?: AbortSignal,
  ): Promise<NonNullable<Checkpoints['crmDone']>> {
    const { provider, policy } = this.#services.crm;
    const record: CallRecord = {
      contactId: contact.id,
      contactName: contact.name,
      phone: contact.phone,
      callSid: checkpoints.callSid ?? '',
      status: 'queued',
      degraded,
      script: checkpoints.script ?? '',
      timestamp: this.#now(),
    };
    try {
      await policy.execute(
        (attempt) => provider.recordCall(record, attempt.signal, { lookUpFirst }),
        {
          signal,
          context: { contactId: contact.id },
        },
      );
      return 'recorded';
    } catch (error) {
      this.#throwIfAborted(policy, error, signal);
      if (isPermanentError(error) && error.scope === 'request') {
        // the CRM refuses this record itself: replaying it would only block the outbox
        this.#degraded(contact.id, provider.service, 'no CRM record (refused)', error);
        return 'rejected';
      }
      await this.#queue.addToOutbox(contact.id, record);
      this.#degraded(contact.id, provider.service, 'CRM outbox', error);
      return 'outbox';
    }
  }

  /**
   * A step still to do whose service refuses calls now, if any (the refusal is reported as a
   * skipped call): the voice (when every voice does) or the telephony. The LLM and the CRM
   * never hold a contact back: a template script and the outbox stand in for them.
   */
  #refusedAhead(contactId: string, done: Checkpoints): StepFailure | undefined {
    if (done.callSid !== undefined) return undefined;
    const { tts, ttsFallback, telephony } = this.#services;
    const voices = [tts, ttsFallback].filter((voice) => voice !== undefined);
    const needed =
      done.audioRef === undefined && voices.every(({ policy }) => isBlocked(policy, this.#now()))
        ? [tts.policy, telephony.policy]
        : [telephony.policy];
    for (const policy of needed) {
      const refusal = policy.refuses({ contactId });
      if (refusal) return this.#failure(policy, refusal);
    }
    return undefined;
  }

  #failure(policy: ServicePolicy, error: unknown, signal?: AbortSignal): StepFailure {
    const verdict = verdictFor(error, policy, {
      now: this.#now(),
      retryDelayMs: this.#retryDelayMs,
      aborted: signal?.aborted === true,
    });
    // a stopped run is the agent's doing: the contact waits on no service
    return new StepFailure(signal?.aborted === true ? AGENT : policy.service, verdict);
  }

  #throwIfAborted(policy: ServicePolicy, error: unknown, signal?: AbortSignal): void {
    if (signal?.aborted) throw this.#failure(policy, error, signal);
  }

  #degraded(contactId: string, service: string, fallback: string, error: unknown): void {
    this.#emit({
      type: 'step_degraded',
      contactId,
      service,
      fallback,
      reason: describeError(error).message,
    });
  }

  #now(): number {
    return this.#clock.now();
  }

  #emit(event: DistributiveOmit<AgentEvent, 'timestamp'>): void {
    this.#events.emit({ ...event, timestamp: this.#now() } as AgentEvent);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
