import { isTimeoutError, isTransientError } from '../../resilience/index.ts';
import { wasNeverSent } from '../../http-errors/classify-network.ts';

/** Whether a create request may have been processed although no answer says so. */
export function isAmbiguous(error: unknown): boolean {
  if (isTimeoutError(error)) return true;
  if (!isTransientError(error)) return false;
  if (error.status === undefined) return !wasNeverSent(error);
  return error.status >= 500 || (error.status >= 200 && error.status <= 299);
}
