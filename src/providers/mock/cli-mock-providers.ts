import type { Clock } from '../../resilience/index.ts';
import { elevenLabsMockDefaults, type ElevenLabsMockOptions } from './elevenlabs-handler.ts';
import type { FaultsConfig } from './faults.ts';
import { MockProviders } from './mock-providers.ts';
import { MOCK_TWILIO_FROM_NUMBER, type MockProviderId } from './mock-types.ts';
import { count } from '../../text/count.ts';
import { startMockServer } from './server.ts';

export interface RunMockProvidersOptions {
  /** Default 0: any free port. */
  port?: number | undefined;
  /** Default 127.0.0.1. */
  host?: string | undefined;
  faults?: FaultsConfig | undefined;
  clock?: Clock | undefined;
  seed?: number | undefined;
  /** The mock ElevenLabs plan (character quota). */
  elevenLabs?: ElevenLabsMockOptions | undefined;
}

export interface RunningMockProviders {
  /** Per provider, e.g. `{ openai: 'http://127.0.0.1:4010/openai/v1', … }`. */
  baseUrls: Record<MockProviderId, string>;
  /** The server's origin; the admin routes live at `${origin}/__faults` etc. */
  origin: string;
  /** The core, to change faults or read requests in-process. */
  mock: MockProviders;
  close(): Promise<void>;
}

/** Starts the mock providers on one HTTP server (`call-agent mock-providers [--port N]`). */
export async function runMockProviders(
  options: RunMockProvidersOptions = {},
): Promise<RunningMockProviders> {
  const mock = new MockProviders({
    clock: options.clock,
    faults: options.faults,
    seed: options.seed,
    elevenLabs: options.elevenLabs,
  });
  const server = await startMockServer(mock, { port: options.port, host: options.host });
  return {
    baseUrls: mock.baseUrls(server.origin),
    origin: server.origin,
    mock,
    close: server.close,
  };
}

export { MOCK_TWILIO_FROM_NUMBER };

/**
 * The environment that points the agent at the mock: base URLs plus placeholder credentials
 * the mock accepts (they are not secrets).
 */
export function mockProviderEnv(baseUrls: Record<MockProviderId, string>): Record<string, string> {
  return {
    OPENAI_BASE_URL: baseUrls.openai,
    OPENAI_API_KEY: 'mock-openai-key',
    ELEVENLABS_BASE_URL: baseUrls.elevenlabs,
    ELEVENLABS_API_KEY: 'mock-elevenlabs-key',
    ELEVENLABS_VOICE_ID: 'mock-voice',
    TWILIO_BASE_URL: baseUrls.twilio,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: 'mock-twilio-token',
    TWILIO_FROM_NUMBER: MOCK_TWILIO_FROM_NUMBER,
    HUBSPOT_BASE_URL: baseUrls.hubspot,
    HUBSPOT_ACCESS_TOKEN: 'mock-hubspot-token',
  };
}

/** `export NAME='value'` lines for a shell, one per variable of mockProviderEnv. */
export function formatEnvExports(baseUrls: Record<MockProviderId, string>): string {
  return Object.entries(mockProviderEnv(baseUrls))
    .map(([name, value]) => `export ${name}='${value.replace(/'/g, `'\\''`)}'`)
    .join('\n');
}

/** The mock's limits, for a person to read: what could stop a large demo run. */
export function describeMockLimits(elevenLabs: ElevenLabsMockOptions = {}): string {
  const { characterLimit, quotaPeriodMs } = { ...elevenLabsMockDefaults, ...elevenLabs };
  const days = quotaPeriodMs / 86_400_000;
  const period = Number.isInteger(days) ? count(days, 'day') : `${quotaPeriodMs / 1000} s`;
  return (
    `# mock ElevenLabs quota: ${characterLimit.toLocaleString('en-US')} characters every ${period} ` +
    '(--tts-character-limit, --tts-quota-period); no other limit unless faults are set'
  );
}
