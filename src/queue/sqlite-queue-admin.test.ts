import { describeQueueAdminContract } from './contract/admin.contract.ts';
import { SqliteCallQueue } from './sqlite-call-queue.ts';

describeQueueAdminContract(
  'SQLite',
  async (clock) => new SqliteCallQueue({ path: ':memory:', clock }),
);
