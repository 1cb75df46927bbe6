import { readFileSync } from 'node:fs';
import { sign } from 'node:crypto';
import { z } from 'zod';

/** The fields of a Google service-account JSON key that signing needs. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri: string;
  private_key_id?: string | undefined;
}

const keySchema = z.object({
  client_email: z.string().min(1),
  private_key: z.string().includes('PRIVATE KEY'),
  token_uri: z.url(),
  private_key_id: z.string().optional(),
});

/** Parses a service-account key; errors name the bad fields, never their values. */
export function parseServiceAccountKey(json: string): ServiceAccountKey {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new Error('service account key: not valid JSON');
  }
  const parsed = keySchema.safeParse(data);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))];
    throw new Error(`service account key: missing or invalid ${fields.join(', ')}`);
  }
  return parsed.data;
}

/** Reads the key file (GOOGLE_APPLICATION_CREDENTIALS). */
export function loadServiceAccountKey(path: string): ServiceAccountKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`service account key file ${path}: ${code}`);
  }
  return parseServiceAccountKey(text);
}

const base64url = (text: string): string => Buffer.from(text).toString('base64url');

/**
 * The signed assertion of the OAuth 2.0 JWT-bearer grant (RFC 7523): RS256 over
 * `iss` = client_email, `scope`, `aud` = token_uri, `iat` and `exp` (seconds).
 */
export function signServiceAccountJwt(
  key: ServiceAccountKey,
  claims: { scope: string; nowMs: number; lifetimeSec: number },
): string {
  const iat = Math.floor(claims.nowMs / 1000);
  const header = {
    alg: 'RS256',
    typ: 'JWT',
    ...(key.private_key_id && { kid: key.private_key_id }),
  };
  const payload = {
    iss: key.client_email,
    scope: claims.scope,
    aud: key.token_uri,
    iat,
    exp: iat + claims.lifetimeSec,
  };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  let signature: Buffer;
  try {
    signature = sign('sha256', Buffer.from(input), key.private_key);
  } catch {
    throw new Error('service account key: the private key cannot sign (RS256)');
  }
  return `${input}.${signature.toString('base64url')}`;
}
