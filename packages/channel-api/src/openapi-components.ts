import type { RateLimitHeaderStyle } from './render.js';

type Json = Record<string, unknown>;

/** Error statuses by the name of their shared response in `components.responses`. */
export const ERROR_RESPONSES = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '409': 'Conflict',
  '413': 'PayloadTooLarge',
  '415': 'UnsupportedMediaType',
  '422': 'IdempotencyMismatch',
  '429': 'RateLimited',
  '500': 'Internal',
  '503': 'Unavailable',
  '504': 'Timeout',
} as const;
export type ErrorStatus = keyof typeof ERROR_RESPONSES;

const DESCRIPTIONS: Record<ErrorStatus, string> = {
  '400': 'Malformed JSON, a body not shaped {"inputs": {...}}, or input that fails the schema (`errors[]` names each field).',
  '401': 'No credential, or one that was not accepted.',
  '403': 'The caller may not do this (permission, tenant).',
  '404': 'Unknown, or not visible to this caller.',
  '409': 'A call with the same Idempotency-Key is still running.',
  '413': 'The body is larger than the channel accepts.',
  '415': 'The body is not application/json in UTF-8.',
  '422': 'The Idempotency-Key was used before with another body.',
  '429': 'Rate limited: retry after `Retry-After` seconds.',
  '500': 'An internal error; the cause is logged under the request id, never shown.',
  '503': 'The service is stopping or a dependency is down.',
  '504': 'The operation did not finish within its deadline.',
};

const PROBLEM: Json = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string' },
    requestId: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
    retryAfter: { type: 'integer' },
  },
};

const HEALTH: Json = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] }, checks: { type: 'object' } },
};

const integerHeader = (description: string): Json => ({ description, schema: { type: 'integer' } });

/** The rate-limit headers a limited response carries, in the channel's configured style. */
export function rateLimitHeaders(style: RateLimitHeaderStyle): Json {
  const headers: Json = {};
  if (style !== 'ietf') {
    headers['X-RateLimit-Limit'] = { $ref: '#/components/headers/X-RateLimit-Limit' };
    headers['X-RateLimit-Remaining'] = { $ref: '#/components/headers/X-RateLimit-Remaining' };
    headers['X-RateLimit-Reset'] = { $ref: '#/components/headers/X-RateLimit-Reset' };
  }
  if (style !== 'x') {
    headers.RateLimit = { $ref: '#/components/headers/RateLimit' };
    headers['RateLimit-Policy'] = { $ref: '#/components/headers/RateLimit-Policy' };
  }
  return headers;
}

const REQUEST_ID_HEADER = { 'X-Request-ID': { $ref: '#/components/headers/X-Request-ID' } };

/** Headers of a successful answer from a route the pipeline admits (so rate limits apply). */
export function admittedHeaders(style: RateLimitHeaderStyle): Json {
  return { ...REQUEST_ID_HEADER, ...rateLimitHeaders(style) };
}

/** `components`: the problem schema, shared error responses, headers and parameters. */
export function components(schemas: Json, style: RateLimitHeaderStyle): Json {
  const responses: Json = {};
  for (const [status, name] of Object.entries(ERROR_RESPONSES) as [ErrorStatus, string][]) {
    const headers: Json = { ...REQUEST_ID_HEADER };
    if (status === '401') headers['WWW-Authenticate'] = { description: 'The Bearer challenge.', schema: { type: 'string' } };
    if (status === '429') Object.assign(headers, { 'Retry-After': { $ref: '#/components/headers/Retry-After' } }, rateLimitHeaders(style));
    responses[name] = {
      description: DESCRIPTIONS[status],
      headers,
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return {
    schemas: { Problem: PROBLEM, HealthReport: HEALTH, ...schemas },
    responses,
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    headers: {
      'X-Request-ID': { description: 'The request id to quote: yours when valid, else a new one.', schema: { type: 'string' } },
      ...(style === 'ietf'
        ? {}
        : {
            'X-RateLimit-Limit': integerHeader('Calls allowed in the current window (when the app rate-limits).'),
            'X-RateLimit-Remaining': integerHeader('Calls left in the current window.'),
            'X-RateLimit-Reset': integerHeader('When the window resets, in Unix seconds.'),
          }),
      ...(style === 'x'
        ? {}
        : {
            RateLimit: { description: 'IETF RateLimit fields: limit, remaining, reset (seconds).', schema: { type: 'string' } },
            'RateLimit-Policy': { description: 'IETF RateLimit-Policy.', schema: { type: 'string' } },
          }),
      'Retry-After': integerHeader('Seconds to wait before retrying.'),
      'Idempotent-Replayed': { description: 'true when this is the stored outcome of an earlier call with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } },
    },
    parameters: {
      RequestId: { name: 'X-Request-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' } },
      TenantId: { name: 'X-Tenant-ID', in: 'header', required: false, schema: { type: 'string' } },
      IdempotencyKey: {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'A retry with the same key and body answers the first outcome again without running the operation; the same key with another body is 422. Scoped to the caller, tenant and operation; kept 24 h by default.',
        // Visible ASCII, bare or as a structured-field string ("...").
        schema: { type: 'string', pattern: '^[!-~]{1,255}$' },
      },
    },
  };
}

/** The `responses` entries of the given error statuses. */
export function errorResponses(statuses: readonly ErrorStatus[]): Json {
  return Object.fromEntries(statuses.map((status) => [status, { $ref: `#/components/responses/${ERROR_RESPONSES[status]}` }]));
}
