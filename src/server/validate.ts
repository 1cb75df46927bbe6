import { z } from 'zod';
import { badRequest } from './http-problem.ts';

/** `input` as `schema` reads it, or a 400 naming what is wrong (and where: `query`, `body` …). */
export function parsed<S extends z.ZodType>(schema: S, input: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw badRequest(`invalid ${where}: ${z.prettifyError(result.error)}`);
  return result.data;
}
