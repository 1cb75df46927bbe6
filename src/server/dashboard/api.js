/** The API, with the token the page was given (kept in sessionStorage: this tab only). */

const KEY = 'call-agent-token';
const listeners = new Set();

export function token() {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function setToken(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

/** Called when the server refuses the token (or wants one): the page asks for it. */
export function onUnauthorized(listener) {
  listeners.add(listener);
}

export function authHeaders() {
  const value = token();
  return value ? { authorization: `Bearer ${value}` } : {};
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
  }
}

/** Fetches JSON; rejects with ApiError on an error answer. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { ...authHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => undefined);
  if (response.status === 401) for (const listener of listeners) listener();
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}
