/** The queue did not answer while the run was ending: what it holds is what it last took. */
export class QueueUnansweredError extends Error {
  readonly code = 'E_QUEUE_UNANSWERED';
  constructor(
    withinMs: number,
    consequence = 'the contacts in flight stay leased, and are taken again once their leases run out',
  ) {
    super(`the queue did not answer within ${withinMs / 1000} s of the stop: ${consequence}`);
  }
}
