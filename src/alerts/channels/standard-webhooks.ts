import { createHmac } from 'node:crypto';

/**
 * The signing key of a Standard Webhooks secret: the base64 after `whsec_` (a secret
 * without the prefix is read as bare base64).
 */
export function webhookSigningKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new Error('ALERT_WEBHOOK_SECRET must be whsec_ followed by a base64 key');
  }
  return key;
}

/**
 * The `webhook-signature` header value (Standard Webhooks v1): `v1,` and the base64
 * HMAC-SHA256 of `${id}.${timestamp}.${body}`.
 */
export function signWebhook(key: Buffer, id: string, timestampSec: number, body: string): string {
  const digest = createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64');
  return `v1,${digest}`;
}
