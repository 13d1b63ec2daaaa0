import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { InvalidInputError, NexusError, UnauthenticatedError, isNexusError } from '@nexus/core';
import type { ResponseAnnotations } from '@nexus/core';
import { HTTP_STATUS, codeFromHttpStatus, encodeHeaderValue, wwwAuthenticate } from '@nexus/core/protocol';
import { credentialOf } from './request.js';
import type { TokenSources } from './request.js';

/** How rate-limit state is sent: `X-RateLimit-*`, the IETF `RateLimit` fields, or both. */
export type RateLimitHeaderStyle = 'x' | 'ietf' | 'both';

export interface RenderOptions {
  readonly rateLimitHeaders: RateLimitHeaderStyle;
  /** `realm` of the `WWW-Authenticate: Bearer` challenge. */
  readonly realm: string;
  /** Where else a token may come from, so a 401 can tell whether one was sent. */
  readonly tokens: TokenSources;
  /** The app's tenant header (`app.tenantHeader`): read for the requested tenant, written with the resolved one. */
  readonly tenantHeader: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** Adds annotation headers (rate limit, tenant) to a header object about to be written. */
export function annotationHeaders(headers: OutgoingHttpHeaders, annotations: ResponseAnnotations, options: RenderOptions): void {
  const limit = annotations.rateLimit;
  if (limit !== undefined) {
    const remaining = Math.max(0, Math.min(limit.limit, Math.floor(limit.remaining)));
    const reset = Math.ceil(limit.reset);
    if (options.rateLimitHeaders !== 'ietf') {
      headers['x-ratelimit-limit'] = String(limit.limit);
      headers['x-ratelimit-remaining'] = String(remaining);
      headers['x-ratelimit-reset'] = String(reset);
    }
    if (options.rateLimitHeaders !== 'x') {
      const seconds = Math.max(0, reset - Math.floor(Date.now() / 1000));
      headers.ratelimit = `limit=${limit.limit}, remaining=${remaining}, reset=${seconds}`;
      headers['ratelimit-policy'] = String(limit.limit);
    }
  }
  // Tenant ids may be any Unicode; a header value may not.
  if (annotations.tenant !== undefined) headers[options.tenantHeader] = encodeHeaderValue(annotations.tenant.id);
  if (annotations.idempotency?.replayed === true) headers['idempotent-replayed'] = 'true';
}

/** Sets annotation headers on a response that something else will write (native routes). */
export function setAnnotationHeaders(res: ServerResponse, annotations: ResponseAnnotations, options: RenderOptions): void {
  const headers: OutgoingHttpHeaders = {};
  annotationHeaders(headers, annotations, options);
  for (const name in headers) res.setHeader(name, headers[name]!);
}

/** Writes a JSON body with its length; nothing is buffered twice. */
export function sendJson(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders, type = JSON_TYPE): void {
  if (res.headersSent || res.destroyed) return;
  headers['content-type'] = type;
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
}

/** Renders a NexusError as RFC 9457 problem+json with the headers its code calls for. */
export function sendProblem(
  res: ServerResponse,
  error: NexusError,
  requestId: string,
  options: RenderOptions,
  annotations?: ResponseAnnotations,
  status: number = HTTP_STATUS[error.code],
): void {
  const headers: OutgoingHttpHeaders = { 'x-request-id': requestId };
  if (annotations !== undefined) annotationHeaders(headers, annotations, options);
  if (error.code === 'UNAUTHENTICATED') {
    const tokenWasSent = res.req !== undefined && credentialOf(res.req, options.tokens).kind !== 'none';
    headers['www-authenticate'] = wwwAuthenticate({ realm: options.realm, tokenWasSent });
  }
  if (error.code === 'RATE_LIMITED') headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfter ?? 1)));
  const problem = error.toProblem(requestId);
  sendJson(res, status, JSON.stringify(status === problem.status ? problem : { ...problem, status }), headers, PROBLEM_TYPE);
}

/** The error code of an HTTP status something else already answered with (for audit and metrics). */
export function errorForStatus(status: number, message: string): NexusError {
  const code = codeFromHttpStatus(status);
  return code === 'UNAUTHENTICATED' ? new UnauthenticatedError() : new NexusError(code, message);
}

/**
 * Normalises what Express middleware passes to `next(err)`: NexusErrors as they are, client
 * errors that declare themselves safe to show (`expose`, as http-errors does) by their status,
 * anything else as a generic INTERNAL whose cause is only logged.
 */
export function fromNativeError(error: unknown): NexusError {
  if (isNexusError(error)) return error;
  if (typeof error === 'object' && error !== null) {
    const { status, statusCode, expose, message } = error as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown };
    const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
    if (code !== undefined && code >= 400 && code < 500) {
      const safe = expose === true && typeof message === 'string' ? message : 'The request is not valid.';
      return code === 400 ? new InvalidInputError(safe, { cause: error }) : errorForStatus(code, safe);
    }
  }
  return new NexusError('INTERNAL', 'An internal error occurred.', { cause: error });
}
