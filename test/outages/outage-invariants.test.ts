import { describe, expect, it } from 'vitest';
import { ours } from '../../bench/outages/ours-strategy.ts';
import { runCampaign, type CampaignRecord } from '../../bench/outages/run-campaign.ts';
import { buildScenario, LIGHT_REQUEST_MS } from '../../bench/outages/scenarios.ts';
import { policyForService } from '../../src/config.ts';

/**
 * The invariants of issue 15 that must always hold for ours, on a short version (1,000
 * contacts, concurrency 20) of two scenarios of the outage suite, run in virtual time.
 */
const CONTACTS = 1_000;

async function run(id: string): Promise<CampaignRecord> {
  return runCampaign(buildScenario(id, { contacts: CONTACTS }), ours);
}

describe.each(['hard-outage', 'quota-exhausted'])('ours through the %s scenario', (id) => {
  let record: CampaignRecord;
  const recorded = async (): Promise<CampaignRecord> => (record ??= await run(id));

  it('loses no contact: every one ends completed or failed, none is left behind', async () => {
    const { counts, contacts, end } = await recorded();
    expect(end).toBe('drained');
    expect(counts.completed + counts.failed).toBe(CONTACTS);
    expect(contacts.size).toBe(CONTACTS);
    expect([...contacts.values()].every((c) => c.endedAt !== undefined)).toBe(true);
  });

  it('calls nobody twice, and calls each completed contact once', async () => {
    const { callsPerContact, counts } = await recorded();
    expect(Math.max(...callsPerContact.values())).toBe(1);
    expect(callsPerContact.size).toBe(counts.completed);
  });

  it('sends the dead provider at most (calls in flight) × (1 + max_retries) requests before its circuit opens, then one trial per recovery window', async () => {
    const { requests, circuit, scenario, app } = await recorded();
    const { failing } = scenario;
    const policy = policyForService(app, failing.service);
    const dead = requests.filter(
      (r) =>
        r.provider === failing.provider &&
        r.kind === 'operation' &&
        r.at >= failing.fromMs &&
        r.at < failing.toMs,
    );
    const opened = circuit.find((c) => c.state === 'OPEN' && c.at >= failing.fromMs);
    if (!opened) throw new Error('the circuit never opened');
    // Each call in flight when the provider died sends its first attempt before any call has
    // failed: with N in flight, failure_threshold × (1 + max_retries) becomes N × (1 + max_retries).
    const inFlight = Math.min(scenario.concurrency, policy.bulkhead?.max_concurrent ?? Infinity);
    const beforeOpen = dead.filter((r) => r.at < opened.at).length;
    expect(beforeOpen).toBeLessThanOrEqual(inFlight * (1 + policy.retry.max_retries));
    const recoveryWindows = Math.ceil(
      (failing.toMs - opened.at) / (policy.circuit_breaker.recovery_timeout * 1000),
    );
    expect(dead.length - beforeOpen).toBeLessThanOrEqual(recoveryWindows);
  });

  it('notices the recovery within one health interval (and the probe it takes)', async () => {
    const { circuit, scenario, app } = await recorded();
    const closed = circuit.find((c) => c.state === 'CLOSED' && c.at >= scenario.failing.toMs);
    if (!closed) throw new Error('the circuit never closed after the recovery');
    // a probe that began just before the recovery fails; the next starts an interval after it ends
    const probe = LIGHT_REQUEST_MS;
    expect(closed.at - scenario.failing.toMs).toBeLessThanOrEqual(
      app.health_check.interval * 1000 + 2 * probe,
    );
  });
});
