import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.ts';
import { printLevelFrom } from './print-level.ts';

describe('printLevelFrom', () => {
  it.each([
    { LOG_LEVEL: undefined, level: 'INFO' },
    { LOG_LEVEL: '', level: 'INFO' },
    { LOG_LEVEL: 'debug', level: 'INFO' },
    { LOG_LEVEL: 'info', level: 'INFO' },
    { LOG_LEVEL: 'Warning', level: 'WARNING' },
    { LOG_LEVEL: 'ERROR', level: 'ERROR' },
    { LOG_LEVEL: ' critical ', level: 'CRITICAL' },
  ])('LOG_LEVEL=$LOG_LEVEL prints from $level up', ({ LOG_LEVEL, level }) => {
    expect(printLevelFrom({ LOG_LEVEL })).toBe(level);
  });

  it('--quiet prints warnings and worse; a stricter LOG_LEVEL still wins', () => {
    expect(printLevelFrom({}, true)).toBe('WARNING');
    expect(printLevelFrom({ LOG_LEVEL: 'debug' }, true)).toBe('WARNING');
    expect(printLevelFrom({ LOG_LEVEL: 'error' }, true)).toBe('ERROR');
  });

  it('refuses another value with a configuration error naming LOG_LEVEL and the choices', () => {
    const read = () => printLevelFrom({ LOG_LEVEL: 'verbose' }, true);
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      'invalid environment: LOG_LEVEL = "verbose": expected one of "debug", "info", "warning", "error", "critical"',
    );
  });
});
