/** Response headers as `fetch` gives them, or as a plain record (`node:http`, tests). */
export type ResponseHeaders =
  Headers | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** A header's value, looked up case-insensitively; repeated values are joined with ", ". */
export function header(headers: ResponseHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'object' ? value.join(', ') : String(value);
  }
  return undefined;
}
