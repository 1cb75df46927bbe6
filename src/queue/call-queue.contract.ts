import { describe } from 'vitest';
import { deferralContract } from './contract/deferral.contract.ts';
import { enqueueContract } from './contract/enqueue.contract.ts';
import type { MakeCallQueue } from './contract/harness.ts';
import { leasesContract } from './contract/leases.contract.ts';
import { lifecycleContract } from './contract/lifecycle.contract.ts';
import { requeueContract } from './contract/requeue.contract.ts';
import { storeContract } from './contract/store.contract.ts';
import { storageContract } from './contract/storage.contract.ts';

export {
  CONTRACT_MAX_FAILED_ATTEMPTS,
  type MakeCallQueue,
  type MakeOptions,
} from './contract/harness.ts';

/**
 * The conformance suite every CallQueue backend must pass. `make` builds a fresh, empty queue
 * on the given virtual clock with the default `maxFailedAttempts` (5), recording its leases
 * for the given holder, and a small store when asked; each queue it returns is closed after
 * its test.
 */
export function describeCallQueueContract(name: string, make: MakeCallQueue): void {
  describe(`CallQueue contract: ${name}`, () => {
    lifecycleContract(make);
    leasesContract(make);
    deferralContract(make);
    enqueueContract(make);
    requeueContract(make);
    storeContract(make);
    storageContract(make);
  });
}
