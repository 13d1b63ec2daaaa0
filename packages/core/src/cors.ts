import { NexusSetupError } from './setup-error.js';

/** Cross-origin access to a channel's HTTP listener, for browser clients. Off unless origins are named. */
export interface CorsOptions {
  /** Origins allowed to call (`https://app.example.com`, scheme and host, no path), or `'*'` for any. */
  readonly origins: readonly string[] | '*';
  /** Let browsers send cookies and read answers of credentialed calls; never with `'*'`. */
  readonly credentials?: boolean;
  /** How long a browser may reuse a preflight answer, in seconds (600). */
  readonly maxAgeSeconds?: number;
}

/** A checked CORS configuration; every HTTP channel applies the same one. */
export interface CorsPolicy {
  readonly origins: readonly string[] | '*';
  readonly credentials: boolean;
  readonly maxAgeSeconds: number;
  /** Response headers browser code may read: challenges, correlation, sessions, rate limits. */
  readonly exposedHeaders: readonly string[];
}

export const CORS_EXPOSED_HEADERS: readonly string[] = [
  'WWW-Authenticate',
  'X-Request-ID',
  'X-Tenant-ID',
  'Mcp-Session-Id',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
  'Idempotent-Replayed',
];

const ORIGIN = /^https?:\/\/[^/?#\s]+$/i;

/** Checks CORS options once, at channel creation; undefined when CORS is off. */
export function resolveCorsPolicy(options: CorsOptions | undefined): CorsPolicy | undefined {
  if (options === undefined) return undefined;
  const invalid = (why: string) => new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `cors: ${why}`);
  if (typeof options !== 'object' || options === null) throw invalid('must be an object like {origins: ["https://app.example.com"]}');
  const { origins, credentials = false, maxAgeSeconds = 600 } = options;
  if (origins !== '*') {
    if (!Array.isArray(origins) || origins.length === 0) throw invalid('origins must be "*" or a non-empty list of origins');
    for (const origin of origins) {
      if (typeof origin !== 'string' || !ORIGIN.test(origin)) throw invalid(`"${String(origin)}" is not an origin (scheme://host[:port], no path or trailing slash)`);
    }
  }
  // Browsers refuse a wildcard on credentialed calls; a list names whom credentials may reach.
  if (origins === '*' && credentials) throw invalid('credentials cannot be combined with origins "*"; name the origins');
  if (!(Number.isInteger(maxAgeSeconds) && maxAgeSeconds >= 0)) throw invalid('maxAgeSeconds must be a whole number of seconds');
  return Object.freeze({
    origins: origins === '*' ? '*' : Object.freeze(origins.map((origin) => origin.toLowerCase())),
    credentials: credentials === true,
    maxAgeSeconds,
    exposedHeaders: CORS_EXPOSED_HEADERS,
  });
}
