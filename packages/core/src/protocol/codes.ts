/**
 * The one set of request-error codes and every transport's mapping of it. Each table
 * `satisfies Record<NexusErrorCode, …>`, so a new code does not compile until every transport maps it.
 */

/** Every request-time failure has one of these codes; channels map each one natively. */
export type NexusErrorCode =
  | 'INVALID_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'TENANT_REQUIRED'
  | 'TENANT_ACCESS_DENIED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'IDEMPOTENCY_MISMATCH'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** The HTTP status of each code; also the `status` of its problem details on every channel. */
export const HTTP_STATUS = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TENANT_REQUIRED: 403,
  TENANT_ACCESS_DENIED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_MISMATCH: 422,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  // 499 is the de-facto "client closed request" status; the caller is gone, so it is rarely seen.
  CANCELLED: 499,
  TIMEOUT: 504,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const satisfies Record<NexusErrorCode, number>;

/** The process exit status of each code (sysexits.h values; 130 is the shell's Ctrl-C status). */
export const CLI_EXIT_CODE = {
  INVALID_INPUT: 64,
  UNAUTHENTICATED: 77,
  FORBIDDEN: 77,
  TENANT_REQUIRED: 77,
  TENANT_ACCESS_DENIED: 77,
  NOT_FOUND: 66,
  CONFLICT: 65,
  IDEMPOTENCY_MISMATCH: 65,
  PAYLOAD_TOO_LARGE: 65,
  RATE_LIMITED: 75,
  TIMEOUT: 75,
  UNAVAILABLE: 69,
  INTERNAL: 70,
  CANCELLED: 130,
} as const satisfies Record<NexusErrorCode, number>;

/**
 * The JSON-RPC error code of each code, for refusals answered as JSON-RPC errors (MCP listing and
 * reading). -32602 Invalid params, -32002 MCP's unknown resource, -32603 Internal error, and the
 * server-defined -32000 for every other refusal (its `data` carries the problem object).
 */
export const JSONRPC_CODE = {
  INVALID_INPUT: -32602,
  UNAUTHENTICATED: -32000,
  FORBIDDEN: -32000,
  TENANT_REQUIRED: -32000,
  TENANT_ACCESS_DENIED: -32000,
  NOT_FOUND: -32002,
  CONFLICT: -32000,
  IDEMPOTENCY_MISMATCH: -32000,
  PAYLOAD_TOO_LARGE: -32000,
  RATE_LIMITED: -32000,
  CANCELLED: -32000,
  TIMEOUT: -32000,
  UNAVAILABLE: -32000,
  INTERNAL: -32603,
} as const satisfies Record<NexusErrorCode, number>;

/** The problem-details `title` of each code: short, stable, never specific to one request. */
export const ERROR_TITLE = {
  INVALID_INPUT: 'Invalid input',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Forbidden',
  TENANT_REQUIRED: 'Tenant required',
  TENANT_ACCESS_DENIED: 'Tenant access denied',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  IDEMPOTENCY_MISMATCH: 'Idempotency key reused',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  RATE_LIMITED: 'Too many requests',
  CANCELLED: 'Cancelled',
  TIMEOUT: 'Timed out',
  UNAVAILABLE: 'Service unavailable',
  INTERNAL: 'Internal error',
} as const satisfies Record<NexusErrorCode, string>;

/** Every code, in declaration order of the tables above. */
export const ERROR_CODES = Object.freeze(Object.keys(HTTP_STATUS)) as readonly NexusErrorCode[];

const CODES = new Set<string>(ERROR_CODES);

/** True for a string that is one of the codes (for parsing problem objects from the wire). */
export function isErrorCode(value: unknown): value is NexusErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

// Where several codes share a status, the first in table order wins (403 → FORBIDDEN).
// 502 is a gateway's answer when the server behind it is gone: the service is unavailable.
const CODE_BY_STATUS = new Map<number, NexusErrorCode>([[502, 'UNAVAILABLE']]);
for (const code of ERROR_CODES) if (!CODE_BY_STATUS.has(HTTP_STATUS[code])) CODE_BY_STATUS.set(HTTP_STATUS[code], code);

/**
 * The code of an HTTP error status, for answers that came without problem details (a proxy's
 * 502, a native route's 404). Unknown client errors read as INVALID_INPUT, server errors as INTERNAL.
 */
export function codeFromHttpStatus(status: number): NexusErrorCode {
  return CODE_BY_STATUS.get(status) ?? (status < 500 ? 'INVALID_INPUT' : 'INTERNAL');
}
