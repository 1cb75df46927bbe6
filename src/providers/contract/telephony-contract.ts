import { describe, expect, it } from 'vitest';
import { isServiceError } from '../../resilience/index.ts';
import type { PlaceCallRequest, PlacedCall, Telephony } from '../ports.ts';
import {
  describeCommonContract,
  failure,
  useHarness,
  type ContractHarness,
} from './contract-harness.ts';

/** The telephony harness also counts the calls that exist at the provider. */
export interface TelephonyHarness extends ContractHarness<Telephony> {
  callsTo(to: string): Promise<number>;
}

const TO = '+14155550123';
const request: PlaceCallRequest = {
  contactId: 'contact-1',
  to: TO,
  script: 'Hello Ada & friends <3',
};
const live = (): AbortSignal => new AbortController().signal;

/**
 * The telephony port's contract: any Telephony adapter must pass it. Above all, a person is
 * never called twice: after an ambiguous failure a retry (with `lookUpSince`, as the call flow
 * sends it) finds the call instead of placing another.
 */
export function describeTelephonyContract(
  name: string,
  setup: () => Promise<TelephonyHarness>,
): void {
  describe(`Telephony contract: ${name}`, () => {
    const harness = useHarness(setup);
    const h = (): TelephonyHarness => harness() as TelephonyHarness;

    it('places a call', async () => {
      const call = await h().adapter.placeCall(request, live());
      expect(call.callSid).toMatch(/\S/);
      expect(call.foundExisting).toBe(false);
      expect(await h().callsTo(TO)).toBe(1);
    });

    it('finds the calls to a number created since a time, newest first', async () => {
      const since = new Date(Date.now() - 1_000);
      const first = await h().adapter.placeCall(request, live());
      const second = await h().adapter.placeCall({ ...request, contactId: 'contact-1b' }, live());
      const found = await h().adapter.findCalls(TO, since, live());
      expect(found.map((call) => call.callSid).sort()).toEqual(
        [first.callSid, second.callSid].sort(),
      );
      expect(found.every((call) => call.foundExisting)).toBe(true);
      expect(await h().adapter.findCalls(TO, new Date(Date.now() + 3_600_000), live())).toEqual([]);
      expect(await h().adapter.findCalls('+14155550999', since, live())).toEqual([]);
    });

    it('with lookUpSince, returns the existing call instead of placing another', async () => {
      const since = new Date(Date.now() - 1_000);
      const placed = await h().adapter.placeCall(request, live());
      const again = await h().adapter.placeCall({ ...request, lookUpSince: since }, live());
      expect(again).toEqual({ ...placed, foundExisting: true });
      expect(await h().callsTo(TO)).toBe(1);
    });

    it('with lookUpSince and no call yet, places one', async () => {
      const call = await h().adapter.placeCall(
        { ...request, lookUpSince: new Date(Date.now() - 1_000) },
        live(),
      );
      expect(call.foundExisting).toBe(false);
      expect(await h().callsTo(TO)).toBe(1);
    });

    it('after an ambiguous failure, a retry never places a second call', async () => {
      const since = new Date(Date.now() - 1_000);
      await h().failNext('accepted-then-lost');
      let call: PlacedCall | undefined;
      try {
        call = await h().adapter.placeCall(request, live());
      } catch (error) {
        expect(isServiceError(error) && error.errorClass).toMatch(/^(transient|timeout)$/);
        call = await h().adapter.placeCall({ ...request, lookUpSince: since }, live());
      }
      expect(call.foundExisting).toBe(true);
      expect(await h().callsTo(TO)).toBe(1);
    });

    it('a rate-limited attempt placed nothing, and a direct retry places the call', async () => {
      await h().failNext('rate-limited');
      const error = await failure(() => h().adapter.placeCall(request, live()));
      expect(isServiceError(error) && error.errorClass).toBe('transient');
      expect(await h().callsTo(TO)).toBe(0);
      expect((await h().adapter.placeCall(request, live())).foundExisting).toBe(false);
      expect(await h().callsTo(TO)).toBe(1);
    });

    describeCommonContract(harness, (adapter, signal) => adapter.placeCall(request, signal));
  });
}
