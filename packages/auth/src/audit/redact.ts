/** Field names redacted at any depth unless configured otherwise; matched case-insensitively. */
export const DEFAULT_REDACT_FIELDS = [
  'password', 'passwd', 'token', 'secret', 'api_key', 'apikey', 'private_key', 'authorization', 'cookie',
  'ssn', 'credit_card', 'card_number', 'cvv',
] as const;

export const DEFAULT_REDACT_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'proxy-authorization'] as const;

const MAX_DEPTH = 32;

const normalise = (name: string): string => name.toLowerCase().replace(/[-_\s]/g, '');

/**
 * Decides whether a field name holds a secret: it contains a configured name
 * (`accessToken`, `client_secret`, `userPassword`). Names under four characters (`ssn`)
 * must end the field name, so short words do not redact unrelated fields.
 */
export function fieldMatcher(fields: readonly string[]): (name: string) => boolean {
  const long = fields.map(normalise).filter((field) => field.length >= 4);
  const short = fields.map(normalise).filter((field) => field.length > 0 && field.length < 4);
  const seen = new Map<string, boolean>();
  return (name) => {
    let hit = seen.get(name);
    if (hit !== undefined) return hit;
    const key = normalise(name);
    hit = long.some((field) => key.includes(field)) || short.some((field) => key.endsWith(field));
    if (seen.size < 4_096) seen.set(name, hit);
    return hit;
  };
}

/** A redacted deep copy: the original is never touched, cycles and depth are bounded. */
export function redactValue(value: unknown, isSecret: (name: string) => boolean, replacement: string): unknown {
  const seen = new WeakSet<object>();
  const walk = (node: unknown, depth: number): unknown => {
    if (node === null || typeof node !== 'object') return typeof node === 'bigint' ? node.toString() : node;
    if (depth >= MAX_DEPTH) return '[depth limit]';
    if (seen.has(node)) return '[circular]';
    if (node instanceof Date) return node.toISOString();
    if (ArrayBuffer.isView(node) || node instanceof ArrayBuffer) return '[binary]';
    seen.add(node);
    let copy: unknown;
    if (Array.isArray(node)) {
      copy = node.map((item) => walk(item, depth + 1));
    } else {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = isSecret(key) ? replacement : walk(item, depth + 1);
      copy = out;
    }
    seen.delete(node);
    return copy;
  };
  return walk(value, 0);
}

/** Query parameters whose names hold secrets are replaced; the rest of the path is kept as sent. */
export function redactPath(path: string, isSecret: (name: string) => boolean, replacement: string): string {
  const mark = path.indexOf('?');
  if (mark < 0) return path;
  const query = path
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // A malformed escape is judged by its raw form.
      }
      return eq >= 0 && isSecret(name) ? `${rawName}=${replacement}` : pair;
    })
    .join('&');
  return `${path.slice(0, mark)}?${query}`;
}

export function redactHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  redacted: ReadonlySet<string>,
  isSecret: (name: string) => boolean,
  replacement: string,
): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = {};
  // for...in rather than Object.entries: no pair array per header on every audited request.
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = redacted.has(lower) || isSecret(lower) ? replacement : value;
  }
  return out;
}

/** Serialised size cap: a body over `max` characters is kept as a truncated JSON string. */
export function capBody(value: unknown, max: number): { body: unknown; truncated: boolean } {
  if (value === undefined) return { body: undefined, truncated: false };
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } catch {
    return { body: '[unserialisable]', truncated: false };
  }
  if (text.length <= max) return { body: value, truncated: false };
  return { body: text.slice(0, max), truncated: true };
}
