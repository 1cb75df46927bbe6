import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as engine from './index.ts';

/**
 * The package's public surface. Adding an export to index.ts means adding it here too: a
 * deliberate step, so that nothing internal leaks out by accident.
 */
const VALUES = [
  // errors
  'ErrorCode',
  'ServiceError',
  'TransientServiceError',
  'PermanentServiceError',
  'CircuitOpenError',
  'TimeoutError',
  'BulkheadRejectedError',
  'PolicyDisposedError',
  'isServiceError',
  'isTransientError',
  'isPermanentError',
  'isCircuitOpenError',
  'isTimeoutError',
  'isBulkheadRejectedError',
  'isPolicyDisposedError',
  'isProgrammingError',
  'isRetryable',
  'classifyError',
  'describeError',
  'errorFromResponse',
  'parseRetryAfter',
  // time
  'SystemClock',
  'systemClock',
  'VirtualClock',
  // policies
  'createServicePolicy',
  'policyConfigDefaults',
  'withFallback',
  'HealthChecker',
  'InMemoryCircuitStateStore',
];

const TYPES = [
  'ErrorClass',
  'ErrorInfo',
  'ServiceErrorOptions',
  'TransientErrorOptions',
  'SignalTimeoutError',
  'ResponseErrorOptions',
  'ResponseHeaders',
  'Clock',
  'TimerHandle',
  'TimerOptions',
  'Disposer',
  'Subscribe',
  'ServicePolicy',
  'PolicyConfig',
  'PolicyDependencies',
  'Jitter',
  'ExecuteOptions',
  'ExecuteFallback',
  'AttemptContext',
  'AttemptGate',
  'CallContext',
  'CircuitState',
  'CircuitInfo',
  'StateChangeReason',
  'CallEventBase',
  'RetryScheduledEvent',
  'CallSucceededEvent',
  'CallFailedEvent',
  'CallRejectedEvent',
  'StateChangedEvent',
  'CircuitStoreErrorEvent',
  'HealthProbeEvent',
  'CircuitSnapshot',
  'CircuitStateStore',
  'TrialPermits',
  'HealthCheckConfig',
  'HealthCheckDependencies',
  'HealthProbe',
  'HealthRegistrationOptions',
  'ServiceHealth',
  'ProvesRecoveryFrom',
  'Alternative',
  'FallbackOptions',
  'FallbackResult',
];

const sorted = (names: Iterable<string>): string[] => [...names].sort();

/** Every name index.ts exports, types included, as TypeScript (and so the .d.ts) sees them. */
function listExports(): string[] {
  const index = fileURLToPath(new URL('./index.ts', import.meta.url));
  const program = ts.createProgram([index], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    allowImportingTsExtensions: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  return checker.getExportsOfModule(module).map((symbol) => symbol.name);
}

let exported: string[] | undefined;
const exportedNames = (): string[] => (exported ??= listExports());

describe('the public surface (src/resilience/index.ts)', () => {
  it('exports exactly the listed values at run time', () => {
    expect(sorted(Object.keys(engine))).toEqual(sorted(VALUES));
  });

  it('exports exactly the listed names, types included', () => {
    expect(sorted(exportedNames())).toEqual(sorted([...VALUES, ...TYPES]));
  });

  it('keeps internals inside', () => {
    const names = exportedNames();
    for (const internal of [
      'REJECTED',
      'CircuitBreaker',
      'sleepOn',
      'EventEmitter',
      'onListenerError',
      'retryDefaults',
    ]) {
      expect(names).not.toContain(internal);
    }
  });
});
