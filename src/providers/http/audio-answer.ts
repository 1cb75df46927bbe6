import type { Audio } from '../ports.ts';
import { header } from '../../resilience/http/headers.ts';
import type { HttpResult } from './http-client.ts';
import { invalidAnswer } from './provider-http.ts';

/**
 * The audio of a TTS success. An empty body, or one that is not audio (JSON, an HTML error
 * page from a proxy), is a transient failure: "no audio" must never reach a call.
 */
export function audioFrom(service: string, result: HttpResult): Audio {
  const contentType = header(result.headers, 'content-type')?.split(';')[0]?.trim() || 'audio/mpeg';
  if (!/^(audio\/|application\/octet-stream$)/.test(contentType)) {
    throw invalidAnswer(service, result.status, `expected audio, got ${contentType}`);
  }
  if (result.body.byteLength === 0) throw invalidAnswer(service, result.status, 'empty audio');
  return { bytes: result.body, contentType };
}
