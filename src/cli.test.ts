import { afterEach, describe, expect, it } from 'vitest';
import { reportListenerErrors } from './cli.ts';
import { createOutput } from './redaction/output.ts';
import { EventEmitter, onListenerError } from './resilience/events.ts';

afterEach(() => onListenerError(() => {}));

describe('an engine event listener that throws', () => {
  it('is reported through the redacted writer, with its stack, and the other listeners run', () => {
    let printed = '';
    const stream = { write: (text: string) => (printed += text) };
    reportListenerErrors(createOutput({ secrets: ['hunter2'], stdout: stream, stderr: stream }));
    const emitter = new EventEmitter<string>();
    const seen: string[] = [];
    emitter.subscribe(() => {
      throw new Error('sink failed for +14155550123 with key hunter2');
    });
    emitter.subscribe((event) => seen.push(event));
    emitter.emit('x');
    expect(seen).toEqual(['x']);
    expect(printed).toMatch(
      /^call-agent: an event listener failed: Error: sink failed for \+1415\*\*\*0123 with key \[REDACTED\]\n {4}at /,
    );
  });
});
