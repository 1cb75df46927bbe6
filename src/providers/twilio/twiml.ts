/** Escapes the five XML special characters. */
export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<Play>` the audio when there is a URL, else `<Say>` the script. */
export function callTwiml(request: { script: string; audioUrl?: string | undefined }): string {
  const verb = request.audioUrl
    ? `<Play>${xmlEscape(request.audioUrl)}</Play>`
    : `<Say>${xmlEscape(request.script)}</Say>`;
  return `<Response>${verb}</Response>`;
}
