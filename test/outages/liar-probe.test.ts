import { describe, expect, it } from 'vitest';
import { ours } from '../../bench/outages/ours-strategy.ts';
import { runCampaign } from '../../bench/outages/run-campaign.ts';
import { buildScenario } from '../../bench/outages/scenarios.ts';

describe('ours when the health endpoint answers while the real endpoint fails (a liar probe)', () => {
  // KNOWN DEFECT, found by the outage suite (issue 15): a passing probe closes the circuit
  // although every speech request still fails, so the circuit flaps (about every 5 s) and the
  // dead endpoint gets ~10× the requests of the hard outage. `it.fails` keeps this visible: it
  // turns red when the defect is fixed, and then becomes a plain `it`.
  it.fails(
    'keeps the circuit open until the failure ends: no probe closes it meanwhile',
    async () => {
      const { circuit, scenario } = await runCampaign(
        buildScenario('liar-probe', { contacts: 1_000 }),
        ours,
      );
      const { fromMs, toMs } = scenario.failing;
      const opened = circuit.find((c) => c.state === 'OPEN' && c.at >= fromMs);
      expect(opened).toBeDefined();
      const closedMeanwhile = circuit.filter(
        (c) => c.state === 'CLOSED' && c.at > (opened?.at ?? 0) && c.at < toMs,
      );
      expect(closedMeanwhile).toEqual([]);
    },
  );
});
