import type { ErrorInfo } from '../resilience/index.ts';

/**
 * The ports the call flow depends on: one interface per role, one adapter per provider.
 * Every method takes the call's AbortSignal and throws only errors of the engine's taxonomy
 * (TransientServiceError, PermanentServiceError, TimeoutError), never a raw fetch error.
 */

/** What the providers need to know of a contact. */
export interface ContactInfo {
  id: string;
  name: string;
  /** E.164, e.g. +14155550123. */
  phone: string;
  company?: string | undefined;
  notes?: string | undefined;
  /** BCP 47 tag such as `en` or `de-DE`. */
  language?: string | undefined;
}

/** Every adapter can tell whether its service answers. */
export interface HealthProbed {
  /** Display name used in logs and events: `OpenAI`, `ElevenLabs`, `Twilio`, `HubSpot`. */
  readonly service: string;
  /** Resolves when the service answers with a valid key; rejects with a classified error. */
  probe(signal: AbortSignal): Promise<void>;
  /**
   * Whether a passing probe proves that the condition behind this `permanent/service` error
   * is gone (the probe checks the key, the quota …), so a health check may close a circuit it
   * opened. An error the probe cannot see (a billing limit, an unverified caller id) is left
   * to a half-open trial call.
   */
  probeProves(error: ErrorInfo): boolean;
}

/** LLM: writes the call script. */
export interface ScriptWriter extends HealthProbed {
  writeScript(contact: ContactInfo, signal: AbortSignal): Promise<string>;
}

export interface Audio {
  bytes: Uint8Array;
  /** e.g. `audio/mpeg`. */
  contentType: string;
}

/** TTS: speaks the script. */
export interface SpeechSynthesizer extends HealthProbed {
  synthesize(
    text: string,
    signal: AbortSignal,
    options?: { language?: string | undefined },
  ): Promise<Audio>;
}

export interface PlaceCallRequest {
  contactId: string;
  /** E.164. */
  to: string;
  /** Spoken with <Say> when there is no audio URL. */
  script: string;
  /** A public URL of the synthesized audio, played with <Play> when given. */
  audioUrl?: string | undefined;
  /**
   * Set when a call to this number may already have been placed (a retry after an ambiguous
   * failure, or a contact resumed after a crash): the adapter first looks for a call to `to`
   * created at or after this time and returns it instead of placing a new one.
   */
  lookUpSince?: Date | undefined;
}

export interface PlacedCall {
  callSid: string;
  /** Provider status, e.g. `queued`. */
  status: string;
  /** True when the call was found by the look-up rather than created now. */
  foundExisting: boolean;
}

/** Telephony: places the call. Placing a call is not idempotent. */
export interface Telephony extends HealthProbed {
  placeCall(request: PlaceCallRequest, signal: AbortSignal): Promise<PlacedCall>;
  /** Calls to `to` created at or after `since`, newest first. */
  findCalls(to: string, since: Date, signal: AbortSignal): Promise<PlacedCall[]>;
}

export interface CallRecord {
  contactId: string;
  contactName: string;
  /** E.164; the CRM is where the number belongs. */
  phone: string;
  callSid: string;
  /** e.g. `queued`, `completed`. */
  status: string;
  /** Whether the call ran degraded (template script, fallback voice). */
  degraded: boolean;
  script: string;
  /** ms since the epoch. */
  timestamp: number;
}

export interface RecordCallOptions {
  /**
   * An earlier holder of the contact may have written this record (it placed the call, then
   * stopped before its completion was saved): find it by its call SID before writing one.
   */
  lookUpFirst?: boolean | undefined;
}

/** CRM: records the outcome. */
export interface Crm extends HealthProbed {
  /**
   * Writes one record per call: after a write whose fate is unknown (a timeout, a reset), the
   * next one for the same call SID looks it up first, as `lookUpFirst` asks.
   */
  recordCall(
    record: CallRecord,
    signal: AbortSignal,
    options?: RecordCallOptions,
  ): Promise<{ id: string }>;
}
