const UTF8 = new TextEncoder();
// Visible ASCII except `%`, which marks the escapes; a value made only of these is sent as is.
const PLAIN = /^[\x21-\x24\x26-\x7e]*$/;

/**
 * Makes any string writable as an HTTP header value: characters outside visible ASCII (and `%`
 * itself) become percent-encoded UTF-8, as in URIs, so `decodeURIComponent` restores the value.
 * Node refuses to write a header holding a character above U+00FF, after the operation has run,
 * which used to turn a call that succeeded into a 500 with a request id no audit record had.
 * Channel-neutral: it belongs with the other protocol helpers once core has a place for them.
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
