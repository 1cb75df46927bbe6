import {
  PermanentServiceError,
  TransientServiceError,
  type ServiceError,
} from '../../resilience/index.ts';
import { sanitizeError, shortText } from './redact.ts';

/** nodemailer's error fields. */
interface SmtpErrorFields {
  responseCode?: unknown;
  code?: unknown;
  response?: unknown;
  message?: unknown;
}

/** Codes of a configuration that cannot work (bad credentials, a refused envelope). */
const CONFIG_CODES = new Set(['EAUTH', 'ENOAUTH', 'EENVELOPE', 'EOAUTH2', 'ETLS']);

/**
 * Classifies an SMTP failure (nodemailer's error): a 4yz reply or a connection error is
 * transient; a 5yz reply (535 auth, 550, 553, 554 …) is permanent. Alert recipients and SMTP
 * credentials are configuration, so every permanent SMTP failure has scope `service`, except
 * 552 (this message is too large) which has scope `request`.
 */
export function classifySmtpError(
  service: string,
  error: unknown,
  secrets: readonly string[] = [],
): ServiceError {
  const fields: SmtpErrorFields = typeof error === 'object' && error !== null ? error : {};
  const reply = typeof fields.responseCode === 'number' ? fields.responseCode : undefined;
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const text = typeof fields.response === 'string' ? shortText(fields.response, secrets) : '';
  const cause = sanitizeError(error, secrets);
  const providerCode = reply !== undefined ? String(reply) : code;
  const message =
    text || (reply !== undefined ? `SMTP ${reply}` : `SMTP error${code ? ` (${code})` : ''}`);
  if (reply !== undefined && reply >= 500) {
    const scope = reply === 552 ? 'request' : 'service';
    return new PermanentServiceError(message, { service, scope, providerCode, cause });
  }
  if (reply === undefined && code !== undefined && CONFIG_CODES.has(code)) {
    return new PermanentServiceError(message, { service, scope: 'service', providerCode, cause });
  }
  return new TransientServiceError(message, { service, providerCode, cause });
}
