import type { ContactInfo } from '../ports.ts';

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

const SYSTEM = [
  'You write the script of a short, friendly outbound phone call made by an AI agent.',
  'Address the person by name, say who is calling and why in one or two sentences,',
  'and end with a clear question. At most 80 words. Reply with the spoken text only:',
  'no stage directions, no markdown.',
].join(' ');

/**
 * The chat messages that ask for a contact's call script. The phone number is not sent: the
 * LLM does not need it.
 */
export function scriptMessages(contact: ContactInfo): ChatMessage[] {
  const facts = [
    `Name: ${contact.name}`,
    contact.company ? `Company: ${contact.company}` : undefined,
    contact.notes ? `Notes: ${contact.notes}` : undefined,
    `Language: ${contact.language ?? 'en'}`,
  ].filter((line): line is string => line !== undefined);
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `Write the call script for this contact.\n${facts.join('\n')}` },
  ];
}
