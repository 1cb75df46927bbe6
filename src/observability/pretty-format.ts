import { escapeControlCharacters } from '../redaction/control-characters.ts';
import type { LogRecord } from './log-record.ts';

/**
 * One readable line for a terminal:
 * `2026-01-29T18:17:19.000Z ERROR    ElevenLabs  503 Service Unavailable  retry_count=3 circuit=CLOSED`.
 * Control characters in any field are shown escaped (`\n`, `\x1b`): a contact id cannot
 * forge a second line or colour the terminal.
 */
export function formatPretty(record: LogRecord): string {
  const details = [
    record.retry_count === null ? undefined : `retry_count=${record.retry_count}`,
    record.circuit_state === null ? undefined : `circuit=${record.circuit_state}`,
    record.contact_id === undefined ? undefined : `contact=${record.contact_id}`,
    record.error_type === undefined ? undefined : `error=${record.error_type}`,
  ].filter((part) => part !== undefined);
  const head = `${record.timestamp} ${record.level.padEnd(8)} ${record.service.padEnd(11)} ${record.message}`;
  return escapeControlCharacters(details.length === 0 ? head : `${head}  ${details.join(' ')}`);
}
