/**
 * Providers: one adapter per external API (LLM, TTS, telephony, CRM) over the real wire
 * APIs, the classifier that turns every HTTP or network outcome into the engine's taxonomy,
 * and mock providers that speak the same APIs and fail on demand.
 */
export type * from './ports.ts';

// adapters
export {
  OpenAiScriptWriter,
  openAiDefaults,
  type OpenAiScriptWriterOptions,
} from './openai/openai-script-writer.ts';
export {
  OpenAiSpeech,
  openAiSpeechDefaults,
  type OpenAiSpeechOptions,
} from './openai/openai-speech.ts';
export {
  ElevenLabsTts,
  elevenLabsDefaults,
  type ElevenLabsTtsOptions,
} from './elevenlabs/elevenlabs-tts.ts';
export {
  TwilioTelephony,
  twilioDefaults,
  type TwilioTelephonyOptions,
} from './twilio/twilio-telephony.ts';
export { isAmbiguous } from './http/ambiguous.ts';
export { HubSpotCrm, hubSpotDefaults, type HubSpotCrmOptions } from './hubspot/hubspot-crm.ts';
export {
  providersFromEnv,
  providersFromSettings,
  providerSettingsFromEnv,
  ProviderSettingsError,
  type ProviderSettings,
  type Providers,
  type ProviderDependencies,
} from './from-env.ts';

// HTTP and classification (also for the alert channels and the Sheets sink)
export { classifyHttpResponse, type ClassifyOptions } from './http/classify-response.ts';
export { classifyNetworkError, wasNeverSent } from '../http-errors/classify-network.ts';
export { providerDisplayName, type ProviderKind } from './http/provider-kind.ts';
export { parseDuration } from './http/retry-after.ts';
export {
  fetchClient,
  type FetchLike,
  type HttpClient,
  type HttpRequest,
  type HttpResult,
} from './http/http-client.ts';
export { nodeHttpClient } from './http/node-http-client.ts';
export { requestWithDeadline, type DeadlineTransport } from './http/request-with-deadline.ts';
export { httpDefaults, joinUrl, type HttpOptions } from './http/provider-http.ts';

// mock providers
export {
  MockProviders,
  type MockProvidersOptions,
  type MockHttpRequest,
} from './mock/mock-providers.ts';
export { startMockServer, type MockServer, type MockServerOptions } from './mock/server.ts';
export { createInProcessClient, IN_PROCESS_ORIGIN } from './mock/in-process-client.ts';
export {
  runMockProviders,
  mockProviderEnv,
  MOCK_TWILIO_FROM_NUMBER,
  describeMockLimits,
  formatEnvExports,
  type RunMockProvidersOptions,
  type RunningMockProviders,
} from './mock/cli-mock-providers.ts';
export {
  parseFault,
  parseFaultsConfig,
  whyFaultsChangeNothing,
  type Fault,
  type FaultInput,
  type FaultsConfig,
  type OutageInput,
  type ProviderFaultsInput,
} from './mock/faults.ts';
export { sineWav } from './mock/audio-clip.ts';
export { elevenLabsMockDefaults, type ElevenLabsMockOptions } from './mock/elevenlabs-handler.ts';
export type { MockCall } from './mock/twilio-handler.ts';
export type { MockCrmRecord } from './mock/hubspot-handler.ts';
export {
  mockProviderIds,
  type MockProviderId,
  type RecordedRequest,
  type MockOutcome,
  type MockReply,
} from './mock/mock-types.ts';
