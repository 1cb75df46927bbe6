import type { PlaceCallRequest, Providers } from '../../src/providers/index.ts';

/**
 * How a competitor protects one call: runs `work` (given the attempt's signal and its number,
 * 0 first) under its retry, breaker and timeout, within the caller's `signal`.
 */
export type Guard = <T>(
  work: (signal: AbortSignal, attempt: number) => Promise<T>,
  signal: AbortSignal,
) => Promise<T>;

/**
 * The providers with each operation run through the guard of its service, as a user of a
 * competitor would put it around their API calls. Probes and call look-ups pass through.
 * A placed call retried by the guard looks the call up first (as our flow does on attempt > 0):
 * a person is never called twice, whoever retries. A CRM record that may exist is looked up
 * first, as the flow asks.
 */
export function guardProviders(
  providers: Providers,
  guardFor: (service: string) => Guard,
  now: () => number,
): Providers {
  const { llm, tts, ttsFallback, telephony, crm } = providers;
  const probeOf = <P extends { probe(s: AbortSignal): Promise<void> }>(p: P) => ({
    probe: (signal: AbortSignal) => p.probe(signal),
  });
  const voice = (v: Providers['tts']): Providers['tts'] => ({
    service: v.service,
    ...probeOf(v),
    probeProves: (error) => v.probeProves(error),
    synthesize: (text, signal, options) =>
      guardFor(v.service)((s) => v.synthesize(text, s, options), signal),
  });
  return {
    llm: {
      service: llm.service,
      ...probeOf(llm),
      probeProves: (error) => llm.probeProves(error),
      writeScript: (contact, signal) =>
        guardFor(llm.service)((s) => llm.writeScript(contact, s), signal),
    },
    tts: voice(tts),
    ttsFallback: ttsFallback && voice(ttsFallback),
    telephony: {
      service: telephony.service,
      ...probeOf(telephony),
      probeProves: (error) => telephony.probeProves(error),
      findCalls: (to, since, signal) => telephony.findCalls(to, since, signal),
      placeCall: (request, signal) => {
        const startedAt = new Date(now());
        return guardFor(telephony.service)((s, attempt) => {
          const again: PlaceCallRequest =
            attempt > 0 ? { ...request, lookUpSince: request.lookUpSince ?? startedAt } : request;
          return telephony.placeCall(again, s);
        }, signal);
      },
    },
    crm: {
      service: crm.service,
      ...probeOf(crm),
      probeProves: (error) => crm.probeProves(error),
      recordCall: (record, signal, options) =>
        guardFor(crm.service)((s) => crm.recordCall(record, s, options), signal),
    },
  };
}
