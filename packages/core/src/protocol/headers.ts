/** The header a caller names the tenant it asks for in, unless the app configures another. */
export const TENANT_HEADER = 'x-tenant-id';
/** The header that carries the request id both ways. */
export const REQUEST_ID_HEADER = 'x-request-id';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** True for an id that is safe to echo, put in a header and log. */
export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}

/** Honours a caller's id when it is safe to echo and log; otherwise makes a new one. */
export function acceptRequestId(candidate: unknown): string {
  return isValidRequestId(candidate) ? candidate : globalThis.crypto.randomUUID();
}

/** The request id of a request's headers (`X-Request-ID`), or a new one when absent or unsafe. */
export function requestIdFrom(headers: Readonly<Record<string, string | readonly string[] | undefined>>): string {
  const value = headers[REQUEST_ID_HEADER];
  return acceptRequestId(typeof value === 'string' ? value : value?.[0]);
}

/** A header value as one string: the first when repeated, undefined when absent or empty. */
export function firstHeader(value: string | readonly string[] | undefined): string | undefined {
  const first = typeof value === 'string' ? value : value?.[0];
  return first === '' ? undefined : first;
}

const UTF8 = new TextEncoder();
// Visible ASCII except `%`, which marks the escapes; a value made only of these is sent as is.
const PLAIN = /^[\x21-\x24\x26-\x7e]*$/;

/**
 * Makes any string writable as an HTTP header value: characters outside visible ASCII (and `%`
 * itself) become percent-encoded UTF-8, as in URIs, so `decodeURIComponent` restores the value.
 * Node refuses to write a header holding a character above U+00FF or a control character, and
 * would do so after the operation ran. A lone surrogate is written as U+FFFD.
 * @example encodeHeaderValue('租户-a') // '%E7%A7%9F%E6%88%B7-a'
 */
export function encodeHeaderValue(value: string): string {
  if (PLAIN.test(value)) return value;
  let out = '';
  for (const char of value) {
    if (PLAIN.test(char)) out += char;
    else for (const byte of UTF8.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
