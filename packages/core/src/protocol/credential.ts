import { encodeHeaderValue } from './headers.js';

/**
 * What the caller presented, extracted by the channel and judged only by the pipeline.
 * `invalid`: a credential header was present but unusable (no scheme, another scheme, empty
 * token, repeated header). The authenticate phase refuses it like a bad token, so a garbled
 * header never silently downgrades a call to anonymous.
 */
export type Credential =
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'api-key'; readonly key: string }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'none' };

/** The credential headers as Node (or any HTTP stack) gives them; arrays when a header was repeated. */
export interface CredentialHeaders {
  readonly authorization?: string | readonly string[] | undefined;
  readonly 'x-api-key'?: string | readonly string[] | undefined;
}

const NONE: Credential = Object.freeze({ kind: 'none' });
const INVALID: Credential = Object.freeze({ kind: 'invalid' });
// RFC 9110 §11.1: the scheme is a token, matched case-insensitively, then 1*SP and the credentials.
const BEARER = /^bearer +([^\s]+)$/i;
const UNSAFE = /[\s\x00-\x1f\x7f]/;

/** One value, or `null` when the header was repeated (ambiguous, so refused). */
function single(value: string | readonly string[] | undefined): string | undefined | null {
  if (value === undefined || typeof value === 'string') return value;
  if (value.length === 0) return undefined;
  return value.length === 1 ? value[0] : null;
}

/**
 * The one `Authorization` / `X-API-Key` parser for every HTTP-carried channel. `Authorization:
 * Bearer <token>` wins over `X-API-Key`; a present but unusable header is `invalid`, never `none`.
 * Pass repeated headers as arrays (Node's `req.headersDistinct`), since Node keeps only the first
 * `Authorization` in `req.headers`.
 * @example parseCredential({ authorization: 'Bearer abc' }) // { kind: 'bearer', token: 'abc' }
 */
export function parseCredential(headers: CredentialHeaders): Credential {
  const authorization = single(headers.authorization);
  if (authorization === null) return INVALID;
  if (authorization !== undefined) {
    const token = BEARER.exec(authorization.trim())?.[1];
    return token === undefined ? INVALID : { kind: 'bearer', token };
  }
  const key = single(headers['x-api-key']);
  if (key === null) return INVALID;
  if (key === undefined) return NONE;
  const trimmed = key.trim();
  return trimmed === '' || UNSAFE.test(trimmed) ? INVALID : { kind: 'api-key', key: trimmed };
}

export interface ChallengeOptions {
  /** `realm` of the challenge; omitted when not given. */
  readonly realm?: string | undefined;
  /** RFC 9728 protected-resource metadata URL (MCP clients discover the authorization server there). */
  readonly resourceMetadata?: string | undefined;
  /** True when the refused request carried a credential: the challenge then says `invalid_token`. */
  readonly tokenWasSent: boolean;
}

// A quoted-string carries spaces and visible ASCII (quotes and backslashes escaped); anything else is percent-encoded.
function quoted(value: string): string {
  const text = /^[\x20-\x7e]*$/.test(value) ? value : encodeHeaderValue(value);
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The `WWW-Authenticate` value of a 401 (RFC 6750 §3): `Bearer realm="…", error="invalid_token",
 * resource_metadata="…"`. Why a token failed is never said.
 */
export function wwwAuthenticate(options: ChallengeOptions): string {
  const params: string[] = [];
  if (options.realm !== undefined) params.push(`realm=${quoted(options.realm)}`);
  if (options.tokenWasSent) params.push('error="invalid_token"');
  if (options.resourceMetadata !== undefined) params.push(`resource_metadata=${quoted(options.resourceMetadata)}`);
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}
