import type { ContactInfo } from '../providers/ports.ts';

/** The script used when the LLM cannot write one: plain, polite and always available. */
export function templateScript(contact: ContactInfo): string {
  const firstName = contact.name.trim().split(/\s+/)[0] ?? contact.name;
  const about = contact.company ? ` about ${contact.company}` : '';
  return (
    `Hello ${firstName}, this is an automated call${about}. ` +
    'We would like to follow up with you and will send the details by message. ' +
    'Thank you for your time, and have a good day.'
  );
}
