import type { NexusErrorCode } from './protocol/codes.js';

// The error classes and code tables live in the protocol module, which light clients import
// without zod or prom-client; this module adds what only the server needs.
export { HTTP_STATUS as ERROR_STATUS } from './protocol/codes.js';
export type { NexusErrorCode } from './protocol/codes.js';
export type { FieldError, ProblemDetails } from './protocol/problem.js';
export {
  CancelledError,
  ConflictError,
  ForbiddenError,
  IdempotencyMismatchError,
  InternalError,
  InvalidInputError,
  NexusError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  TenantAccessDeniedError,
  TenantRequiredError,
  TimeoutError,
  UnauthenticatedError,
  UnavailableError,
  isNexusError,
  toNexusError,
} from './protocol/errors.js';
export type { NexusErrorOptions } from './protocol/errors.js';

/** How an invocation ended, as audit records and metrics label it. */
export type Outcome = 'allowed' | 'denied' | 'rate_limited' | 'invalid' | 'error';

const OUTCOMES = {
  INVALID_INPUT: 'invalid',
  UNAUTHENTICATED: 'denied',
  FORBIDDEN: 'denied',
  TENANT_REQUIRED: 'denied',
  TENANT_ACCESS_DENIED: 'denied',
  NOT_FOUND: 'invalid',
  CONFLICT: 'error',
  IDEMPOTENCY_MISMATCH: 'invalid',
  PAYLOAD_TOO_LARGE: 'invalid',
  RATE_LIMITED: 'rate_limited',
  CANCELLED: 'error',
  TIMEOUT: 'error',
  UNAVAILABLE: 'error',
  INTERNAL: 'error',
} as const satisfies Record<NexusErrorCode, Outcome>;

export const outcomeOf = (code: NexusErrorCode): Outcome => OUTCOMES[code];
