import { describeError, type ErrorInfo } from './errors.ts';

/** One way to get the value, tried in order. */
export interface Alternative<T> {
  name: string;
  run: (signal: AbortSignal | undefined) => Promise<T>;
}

export interface FallbackResult<T> {
  value: T;
  /** The alternative that answered. */
  source: string;
  /** Whether an alternative other than the first answered. */
  degraded: boolean;
  /** What the alternatives tried before it failed with. */
  failures: Array<{ source: string; error: ErrorInfo }>;
}

export interface FallbackOptions {
  signal?: AbortSignal | undefined;
  /** Whether to move on to the next alternative after this error (default: always). */
  shouldFallback?: (error: unknown) => boolean;
}

/**
 * Tries `alternatives` in order (a second TTS provider, a template script) and returns the
 * first answer. Throws the last error when every alternative failed, or at once when
 * `shouldFallback` says an error must not be papered over.
 */
export async function withFallback<T>(
  alternatives: ReadonlyArray<Alternative<T>>,
  options: FallbackOptions = {},
): Promise<FallbackResult<T>> {
  if (alternatives.length === 0)
    throw new RangeError('withFallback needs at least one alternative');
  const failures: FallbackResult<T>['failures'] = [];
  for (const [index, alternative] of alternatives.entries()) {
    try {
      const value = await alternative.run(options.signal);
      return { value, source: alternative.name, degraded: index > 0, failures };
    } catch (error) {
      failures.push({ source: alternative.name, error: describeError(error) });
      const last = index === alternatives.length - 1;
      if (last || options.signal?.aborted || options.shouldFallback?.(error) === false) throw error;
    }
  }
  throw new Error('unreachable');
}
