import {
  PermanentServiceError,
  TransientServiceError,
  type ServiceError,
} from '../resilience/index.ts';
import { sanitizeError, shortText } from '../redaction/error-text.ts';

/** nodemailer's error fields. */
interface SmtpErrorFields {
  responseCode?: unknown;
  code?: unknown;
  response?: unknown;
  message?: unknown;
}

export interface SmtpErrorContext {
  /** `host:port` of the SMTP server, named in the message (never the URL: it holds the password). */
  server?: string | undefined;
  /** Values to mask in the message and the cause. */
  secrets?: readonly string[];
}

/** Codes of a configuration that cannot work (bad or missing credentials, a refused envelope). */
const CONFIG_CODES = new Set(['EAUTH', 'ENOAUTH', 'EENVELOPE', 'EOAUTH2', 'ETLS']);

function describeFailure(fields: SmtpErrorFields, secrets: readonly string[]): string {
  if (typeof fields.response === 'string') return shortText(fields.response, secrets);
  if (typeof fields.responseCode === 'number') return `reply ${fields.responseCode}`;
  const code = typeof fields.code === 'string' ? fields.code : 'error';
  const message = typeof fields.message === 'string' ? shortText(fields.message, secrets) : '';
  return message ? `${code} ${message}` : code;
}

/**
 * Classifies an SMTP failure (nodemailer's error): a 4yz reply or a connection error is
 * transient; a 5yz reply (535 auth, 550, 553, 554 …) is permanent. Alert recipients and SMTP
 * credentials are configuration, so every permanent SMTP failure has scope `service`, except
 * 552 (this message is too large) which has scope `request`. A failure without a reply whose
 * code says the configuration cannot work (EAUTH, ENOAUTH …) is permanent too.
 */
export function classifySmtpError(
  service: string,
  error: unknown,
  context: SmtpErrorContext = {},
): ServiceError {
  const secrets = context.secrets ?? [];
  const fields: SmtpErrorFields = typeof error === 'object' && error !== null ? error : {};
  const reply = typeof fields.responseCode === 'number' ? fields.responseCode : undefined;
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const cause = sanitizeError(error, secrets);
  const providerCode = reply !== undefined ? String(reply) : code;
  const detail = describeFailure(fields, secrets);
  const message = context.server ? `SMTP ${context.server}: ${detail}` : detail;
  if (reply !== undefined && reply >= 500) {
    const scope = reply === 552 ? 'request' : 'service';
    return new PermanentServiceError(message, { service, scope, providerCode, cause });
  }
  if (reply === undefined && code !== undefined && CONFIG_CODES.has(code)) {
    return new PermanentServiceError(message, { service, scope: 'service', providerCode, cause });
  }
  return new TransientServiceError(message, { service, providerCode, cause });
}
