import type { FastifyInstance } from 'fastify';
import type { Redactor } from '../redaction/redact.ts';

/** `value` with every string in it redacted. */
export function redactDeep(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)]),
    );
  }
  return value;
}

/**
 * Every JSON answer goes through the redactor (secrets, phone numbers), whatever route made
 * it: one place, so no route can forget.
 */
export function installRedaction(app: FastifyInstance, redact: Redactor): void {
  app.addHook('preSerialization', async (_request, _reply, payload) => redactDeep(payload, redact));
}
