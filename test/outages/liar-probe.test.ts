import { describe, expect, it } from 'vitest';
import { ours } from '../../bench/outages/ours-strategy.ts';
import { runCampaign } from '../../bench/outages/run-campaign.ts';
import { buildScenario } from '../../bench/outages/scenarios.ts';

/** The default recovery timeout: one half-open trial per window while the endpoint fails. */
const RECOVERY_MS = 10_000;

describe('ours when the health endpoint answers while the real endpoint fails (a liar probe)', () => {
  // Found by the outage suite: a passing probe closed the circuit although every speech
  // request still failed, so the circuit flapped every health interval. Now a probe the
  // service belied (it reopened before any call succeeded) closes it no more; trials do.
  it('lets the probe close the circuit once, then only trials: no flapping', async () => {
    const { circuit, scenario } = await runCampaign(
      buildScenario('liar-probe', { contacts: 1_000 }),
      ours,
    );
    const { fromMs, toMs } = scenario.failing;
    const opened = circuit.find((c) => c.state === 'OPEN' && c.at >= fromMs);
    expect(opened).toBeDefined();
    const during = circuit.filter((c) => c.at > (opened?.at ?? 0) && c.at < toMs);
    // the one close that shows the probe lies
    expect(during.filter((c) => c.state === 'CLOSED').length).toBeLessThanOrEqual(1);
    // then one trial per recovery window, each failing
    const openings = during.filter((c) => c.state === 'OPEN').length;
    expect(openings).toBeLessThanOrEqual(2 + Math.ceil((toMs - fromMs) / RECOVERY_MS));
  });
});
