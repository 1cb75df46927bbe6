import { randomUUID } from 'node:crypto';
import type { MockReply } from './mock-types.ts';

export function jsonReply(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): MockReply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** What a misconfigured proxy returns where JSON or audio was expected. */
export function garbageReply(): MockReply {
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: '<!doctype html><html><body><h1>It works!</h1></body></html>',
  };
}

export function emptyReply(contentType: string): MockReply {
  return { status: 200, headers: { 'content-type': contentType }, body: '' };
}

export function retryAfter(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'retry-after': String(seconds) };
}

export const correlationId = (): string => randomUUID();
