import { systemClock, type Clock } from '../../resilience/index.ts';
import { handleAdmin } from './admin-routes.ts';
import { createElevenLabsHandler, type ElevenLabsMockOptions } from './elevenlabs-handler.ts';
import { FaultEngine } from './fault-engine.ts';
import { faultLabel, parseFaultsConfig, type Fault, type FaultsConfig } from './faults.ts';
import { createHubSpotHandler, type MockCrmRecord } from './hubspot-handler.ts';
import { openAiHandler } from './openai-handler.ts';
import type { ProviderHandler } from './provider-handler.ts';
import { emptyReply, garbageReply, jsonReply } from './replies.ts';
import { RequestLog } from './request-log.ts';
import { createTwilioHandler, type MockCall } from './twilio-handler.ts';
import {
  mockProviderIds,
  type MockOutcome,
  type MockProviderId,
  type MockReply,
  type MockRequest,
  type RecordedRequest,
} from './mock-types.ts';

export interface MockProvidersOptions {
  /** Latency, slow answers, outages and timestamps run on it (default: the system clock). */
  clock?: Clock | undefined;
  /** Faults in force from the start. */
  faults?: FaultsConfig | undefined;
  /** Seeds the error-rate random (default 1). */
  seed?: number | undefined;
  elevenLabs?: ElevenLabsMockOptions | undefined;
  /** Requests kept for inspection, oldest dropped first (default 1000). */
  maxRecorded?: number | undefined;
}

/** A request to the mock as a whole: `url` is the path and query, e.g. `/twilio/2010-04-01/…`. */
export interface MockHttpRequest {
  method: string;
  url: string;
  /** Lower-case names. */
  headers: Readonly<Record<string, string>>;
  body: string;
}

const reply = (value: MockReply): MockOutcome => ({ kind: 'reply', reply: value });

/**
 * The mock providers without any transport: OpenAI, ElevenLabs, Twilio and HubSpot behind
 * path prefixes (`/openai/v1`, `/elevenlabs`, `/twilio`, `/hubspot`), a fault engine, a log
 * of every request, and the admin routes (`/__faults`, `/__requests`, `/__reset`). The HTTP
 * server and the in-process client both wrap it.
 */
export class MockProviders {
  readonly clock: Clock;
  readonly #engine: FaultEngine;
  readonly #log: RequestLog;
  readonly #twilio = createTwilioHandler();
  readonly #hubspot = createHubSpotHandler();
  readonly #handlers: Readonly<Record<MockProviderId, ProviderHandler>>;
  /** Operations (chat, speech, call creation, CRM record) being answered now, and the most at once. */
  #inFlight = new Map<MockProviderId, { now: number; most: number }>();

  constructor(options: MockProvidersOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.#engine = new FaultEngine(this.clock, options.seed ?? 1);
    this.#log = new RequestLog(options.maxRecorded ?? 1000);
    this.#handlers = {
      openai: openAiHandler,
      elevenlabs: createElevenLabsHandler(options.elevenLabs),
      twilio: this.#twilio,
      hubspot: this.#hubspot,
    };
    if (options.faults) this.setFaults(options.faults);
  }

  /** Base URLs of the providers served at `origin`, as the adapters' settings take them. */
  baseUrls(origin: string): Record<MockProviderId, string> {
    const base = origin.replace(/\/+$/, '');
    return {
      openai: `${base}/openai/v1`,
      elevenlabs: `${base}/elevenlabs`,
      twilio: `${base}/twilio`,
      hubspot: `${base}/hubspot`,
    };
  }

  /** Replaces the faults of the providers named (null clears one). Throws on an unknown code. */
  setFaults(input: FaultsConfig): void {
    const config = parseFaultsConfig(input);
    for (const { provider, fault } of FaultEngine.faultsIn(config)) {
      if (
        fault.type === 'code' &&
        !this.#handlers[provider].namedError(fault.code, EMPTY_REQUEST)
      ) {
        throw new Error(`${provider} has no error named '${fault.code}'`);
      }
    }
    this.#engine.set(config);
  }

  get faults(): Record<string, unknown> {
    return this.#engine.snapshot();
  }

  /** Clears faults, the request log and every provider's state (calls, CRM records). */
  reset(): void {
    this.#engine.clear();
    this.#log.clear();
    this.#inFlight.clear();
    for (const id of mockProviderIds) this.#handlers[id].reset();
  }

  requests(provider?: MockProviderId): RecordedRequest[] {
    return this.#log.list(provider);
  }

  /** Per provider, the operations being answered now and the most answered at once. */
  operationsInFlight(): Partial<Record<MockProviderId, { now: number; most: number }>> {
    return Object.fromEntries([...this.#inFlight].map(([id, count]) => [id, { ...count }]));
  }

  /** The calls Twilio's mock has created. */
  get twilioCalls(): readonly MockCall[] {
    return this.#twilio.calls();
  }

  /** The call engagements HubSpot's mock has recorded. */
  get crmRecords(): readonly MockCrmRecord[] {
    return this.#hubspot.records();
  }

  /** Answers one request; `signal` aborts waits (latency, slow answers) when the client leaves. */
  async handle(request: MockHttpRequest, signal?: AbortSignal): Promise<MockOutcome> {
    const url = new URL(request.url, 'http://mock.invalid');
    if (url.pathname.startsWith('/__')) {
      return reply(handleAdmin(this, request.method, url, request.body));
    }
    const [, prefix = '', ...rest] = url.pathname.split('/');
    const handler = (mockProviderIds as readonly string[]).includes(prefix)
      ? this.#handlers[prefix as MockProviderId]
      : undefined;
    if (!handler) return reply(jsonReply(404, { error: `no mock provider at /${prefix}` }));
    const inner: MockRequest = {
      method: request.method.toUpperCase(),
      path: `/${rest.join('/')}`,
      query: url.searchParams,
      headers: request.headers,
      body: request.body,
    };
    const kind = handler.endpoint(inner);
    const fault: Fault = kind === undefined ? { type: 'ok' } : this.#engine.next(handler.id, kind);
    this.#log.add(
      handler.id,
      inner,
      this.clock.now(),
      kind === undefined ? 'not-found' : faultLabel(fault),
    );
    if (kind === undefined) return reply(handler.notFound());
    const counted = kind === 'operation' ? this.#enter(handler.id) : undefined;
    try {
      const latency = this.#engine.latencyMs(handler.id);
      if (latency > 0) await this.clock.sleep(latency, signal);
      return await this.#apply(handler, fault, inner, signal);
    } finally {
      if (counted) counted.now--;
    }
  }

  #enter(id: MockProviderId): { now: number; most: number } {
    const count = this.#inFlight.get(id) ?? { now: 0, most: 0 };
    this.#inFlight.set(id, count);
    count.most = Math.max(count.most, ++count.now);
    return count;
  }

  async #apply(
    handler: ProviderHandler,
    fault: Fault,
    request: MockRequest,
    signal?: AbortSignal,
  ): Promise<MockOutcome> {
    switch (fault.type) {
      case 'ok':
        return reply(this.#serve(handler, request));
      case 'status':
        return reply(handler.statusError(fault.status, fault.retryAfterSeconds));
      case 'code':
        return reply(handler.namedError(fault.code, request) ?? handler.statusError(500));
      case 'rate-limit':
        return reply(handler.rateLimited(fault.retryAfterSeconds));
      case 'reset':
        return { kind: 'reset' };
      case 'empty':
        return reply(emptyReply(handler.contentType(request)));
      case 'garbage':
        return reply(garbageReply());
      case 'slow': {
        const answer = this.#serve(handler, request);
        await this.clock.sleep(fault.ms, signal);
        return reply(answer);
      }
      case 'accept-then-reset':
        this.#serve(handler, request);
        return { kind: 'reset' };
      case 'accept-then-status':
        this.#serve(handler, request);
        return reply(handler.statusError(fault.status));
    }
  }

  #serve(handler: ProviderHandler, request: MockRequest): MockReply {
    return handler.checkAuth(request) ?? handler.serve(request, this.clock.now());
  }
}

const EMPTY_REQUEST: MockRequest = {
  method: 'POST',
  path: '/',
  query: new URLSearchParams(),
  headers: {},
  body: '',
};
