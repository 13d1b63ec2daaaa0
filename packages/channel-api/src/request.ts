import type { IncomingMessage } from 'node:http';
import { createForwardedAddressResolver } from '@nexus/core';
import type { Credential, TransportInfo, TrustedProxies } from '@nexus/core';
import { firstHeader, parseCredential } from '@nexus/core/protocol';

/** Where a bearer token may come from besides `Authorization`; both are off unless named. */
export interface TokenSources {
  /** Cookie whose value is a bearer token. */
  readonly cookie?: string | undefined;
  /** Query parameter whose value is a bearer token (leaks into logs; use only where headers cannot be set). */
  readonly query?: string | undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      try {
        return decodeURIComponent(raw) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function queryValue(url: string | undefined, name: string): string | undefined {
  const start = url?.indexOf('?') ?? -1;
  if (url === undefined || start < 0) return undefined;
  return new URLSearchParams(url.slice(start + 1)).get(name) || undefined;
}

/**
 * Every value sent for the credential headers. Node keeps only the first of repeated
 * Authorization headers in `headers`; `rawHeaders` still has each one, and reading it here costs
 * less than `headersDistinct`, which copies every header of the request into arrays.
 */
function credentialHeaders(raw: readonly string[]): { authorization?: string[]; 'x-api-key'?: string[] } {
  const sent: { authorization?: string[]; 'x-api-key'?: string[] } = {};
  for (let at = 0; at < raw.length; at += 2) {
    const field = raw[at]!;
    // Lengths first: most fields are neither, and are not lower-cased for nothing.
    if (field.length === 13 && field.toLowerCase() === 'authorization') (sent.authorization ??= []).push(raw[at + 1]!);
    else if (field.length === 9 && field.toLowerCase() === 'x-api-key') (sent['x-api-key'] ??= []).push(raw[at + 1]!);
  }
  return sent;
}

/**
 * Maps the request's credential; the pipeline alone judges it. The configured cookie or query
 * token is read only when neither `Authorization` nor `X-API-Key` was sent.
 */
export function credentialOf(req: IncomingMessage, sources: TokenSources): Credential {
  const { headers } = req;
  const credential =
    headers.authorization === undefined && headers['x-api-key'] === undefined ? parseCredential({}) : parseCredential(credentialHeaders(req.rawHeaders));
  if (credential.kind !== 'none') return credential;
  const token =
    (sources.cookie === undefined ? undefined : cookieValue(headers.cookie, sources.cookie)) ??
    (sources.query === undefined ? undefined : queryValue(req.url, sources.query));
  return token === undefined ? credential : { kind: 'bearer', token };
}

/** Proxies whose `X-Forwarded-For` is believed: addresses, `'loopback'`, or a predicate. */
export type TrustProxy = TrustedProxies;

/**
 * Builds the client-address resolver. Without trusted proxies the socket address is the
 * client; with them, `X-Forwarded-For` is walked from the right past trusted hops only, so a
 * caller cannot choose the address rate limits and audit key on.
 */
export function createAddressResolver(trust: TrustProxy | undefined): (req: IncomingMessage) => string | undefined {
  const resolve = createForwardedAddressResolver(trust);
  return (req) => resolve(req.socket.remoteAddress, req.headers['x-forwarded-for']);
}

type MutableTransport = { -readonly [K in keyof TransportInfo]: TransportInfo[K] };

const SF_STRING = /^"((?:[^"\\]|\\["\\])*)"$/;

/**
 * The `Idempotency-Key` header: the IETF draft makes it a structured-field string (`"abc"`),
 * many clients send it bare (`abc`); both mean the key `abc`. The pipeline checks the key.
 */
export function idempotencyKeyOf(header: string | readonly string[] | undefined): string | undefined {
  const value = firstHeader(header);
  if (value === undefined) return undefined;
  const quoted = SF_STRING.exec(value);
  return quoted === null ? value : quoted[1]!.replace(/\\(["\\])/g, '$1');
}

/** Method, path, lower-case headers, the requested (unverified) tenant and the idempotency key. */
export function transportOf(req: IncomingMessage, path: string, tenantHeader: string): TransportInfo {
  const transport: MutableTransport = { method: req.method ?? 'GET', path, headers: req.headers };
  const tenant = firstHeader(req.headers[tenantHeader]);
  if (tenant !== undefined) transport.requestedTenant = tenant;
  const idempotencyKey = idempotencyKeyOf(req.headers['idempotency-key']);
  if (idempotencyKey !== undefined) transport.idempotencyKey = idempotencyKey;
  return transport;
}

/** The path of a request URL without its query. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
