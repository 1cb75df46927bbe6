import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventEmitter, onListenerError } from './events.ts';

afterEach(() => vi.restoreAllMocks());

describe('EventEmitter', () => {
  it('delivers to listeners in subscription order until their disposer is called', () => {
    const emitter = new EventEmitter<number>();
    const seen: string[] = [];
    const offA = emitter.subscribe((n) => seen.push(`a${n}`));
    emitter.subscribe((n) => seen.push(`b${n}`));
    expect(emitter.hasListeners).toBe(true);
    expect(emitter.listenerCount).toBe(2);
    emitter.emit(1);
    offA();
    offA();
    emitter.emit(2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
    expect(emitter.listenerCount).toBe(1);
  });

  it('a listener that unsubscribes during an emit does not skip the others', () => {
    const emitter = new EventEmitter<number>();
    const seen: string[] = [];
    const off = emitter.subscribe(() => {
      seen.push('a');
      off();
    });
    emitter.subscribe(() => seen.push('b'));
    emitter.emit(1);
    emitter.emit(2);
    expect(seen).toEqual(['a', 'b', 'b']);
  });

  it('a throwing listener does not stop the others; its error is reported', () => {
    const reported: unknown[] = [];
    const off = onListenerError((error) => reported.push(error));
    const emitter = new EventEmitter<string>();
    const seen: string[] = [];
    const boom = new Error('listener bug');
    emitter.subscribe(() => {
      throw boom;
    });
    emitter.subscribe((e) => seen.push(e));
    expect(() => emitter.emit('x')).not.toThrow();
    expect(seen).toEqual(['x']);
    expect(reported).toEqual([boom]);
    off();
  });

  it('with no handler installed, a listener error is a short process warning, never a console line', () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const consoleError = vi.spyOn(console, 'error');
    const emitter = new EventEmitter<string>();
    emitter.subscribe(() => {
      throw new Error('sheets: 500 {"Authorization":"Bearer ya29.secret"}');
    });
    emitter.emit('x');
    expect(consoleError).not.toHaveBeenCalled();
    expect(warning).toHaveBeenCalledTimes(1);
    const [message] = warning.mock.calls[0]!;
    expect(typeof message).toBe('string');
    expect(message).toMatch(/listener/);
    expect(message).not.toContain('ya29');
  });

  it("onListenerError's disposer puts the previous handler back", () => {
    const first: unknown[] = [];
    const second: unknown[] = [];
    const offFirst = onListenerError((error) => first.push(error));
    const offSecond = onListenerError((error) => second.push(error));
    const emitter = new EventEmitter<number>();
    emitter.subscribe(() => {
      throw new Error('bug');
    });
    emitter.emit(1);
    offSecond();
    emitter.emit(2);
    offFirst();
    expect([first.length, second.length]).toEqual([1, 1]);
  });

  it('has no listeners until one subscribes', () => {
    const emitter = new EventEmitter<number>();
    expect(emitter.hasListeners).toBe(false);
    emitter.subscribe(() => undefined)();
    expect(emitter.hasListeners).toBe(false);
  });
});
