/** The wire dialects the classifier understands. */
export type ProviderKind =
  'openai' | 'elevenlabs' | 'twilio' | 'hubspot' | 'telegram' | 'sheets' | 'generic';

/** Display names, as errors and events carry them unless the caller names the service. */
export const providerDisplayName: Readonly<Record<ProviderKind, string>> = {
  openai: 'OpenAI',
  elevenlabs: 'ElevenLabs',
  twilio: 'Twilio',
  hubspot: 'HubSpot',
  telegram: 'Telegram',
  sheets: 'Google Sheets',
  generic: 'HTTP',
};
