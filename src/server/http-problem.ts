/**
 * An API error as the client reads it: `{ error, message }` with its status. Routes throw it;
 * the error handler sends it.
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly error: string;

  constructor(status: number, error: string, message: string) {
    super(message);
    this.status = status;
    this.error = error;
  }

  override get name(): string {
    return 'HttpProblem';
  }
}

export const badRequest = (message: string): HttpProblem =>
  new HttpProblem(400, 'bad_request', message);
export const notFound = (message: string): HttpProblem =>
  new HttpProblem(404, 'not_found', message);
export const conflict = (message: string): HttpProblem => new HttpProblem(409, 'conflict', message);
