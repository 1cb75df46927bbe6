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

export interface ScriptPromptOptions {
  /** Longer notes are cut to this many characters, the cut marked `…`; 0 leaves them out. */
  maxNotesChars: number;
}

/**
 * The chat messages that ask for a contact's call script. The phone number is not sent: the
 * LLM does not need it.
 */
export function scriptMessages(contact: ContactInfo, options: ScriptPromptOptions): ChatMessage[] {
  const notes = contact.notes && capped(contact.notes, options.maxNotesChars);
  const facts = [
    `Name: ${contact.name}`,
    contact.company ? `Company: ${contact.company}` : undefined,
    notes ? `Notes: ${notes}` : undefined,
    `Language: ${contact.language ?? 'en'}`,
  ].filter((line): line is string => line !== undefined);
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `Write the call script for this contact.\n${facts.join('\n')}` },
  ];
}

/** `text` cut to at most `max` UTF-16 units with `…` at the cut, never inside a surrogate pair. */
function capped(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max === 0) return '';
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // the first half of a pair
  return `${text.slice(0, end)}…`;
}
