import { HTTP_STATUS } from './codes.js';
import type { NexusErrorCode } from './codes.js';
import { problem } from './problem.js';
import type { FieldError, ProblemDetails } from './problem.js';

const NEXUS_ERROR_BRAND = Symbol.for('nexus.error');

export interface NexusErrorOptions {
  readonly cause?: unknown;
  readonly errors?: readonly FieldError[];
  /** Seconds until a retry can succeed (rate limits). */
  readonly retryAfter?: number;
  /** Extra public fields rendered with the error (never secrets). */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** A request-time error whose message is safe to show the caller. */
export class NexusError extends Error {
  readonly [NEXUS_ERROR_BRAND] = true;
  readonly code: NexusErrorCode;
  readonly errors: readonly FieldError[] | undefined;
  readonly retryAfter: number | undefined;
  readonly extensions: Readonly<Record<string, unknown>> | undefined;

  constructor(code: NexusErrorCode, message: string, options: NexusErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NexusError';
    this.code = code;
    this.errors = options.errors;
    this.retryAfter = options.retryAfter;
    this.extensions = options.extensions;
  }

  /** The HTTP status of the code (`HTTP_STATUS`). */
  get status(): number {
    return HTTP_STATUS[this.code];
  }

  toProblem(requestId?: string): ProblemDetails {
    return problem(this, requestId);
  }
}

/** Brand check: works across duplicated package copies, where `instanceof` does not. */
export function isNexusError(value: unknown): value is NexusError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[NEXUS_ERROR_BRAND] === true;
}

/** Normalises anything thrown. Foreign errors become a generic INTERNAL that keeps the cause for logs only. */
export function toNexusError(value: unknown): NexusError {
  if (isNexusError(value)) return value;
  return new InternalError(undefined, { cause: value });
}

type SubclassOptions = NexusErrorOptions;

export class InvalidInputError extends NexusError {
  constructor(message = 'The input is not valid.', options?: SubclassOptions) {
    super('INVALID_INPUT', message, options);
  }
}
export class UnauthenticatedError extends NexusError {
  // One message for every refused credential: the reason is logged, never told.
  constructor(message = 'Authentication is required or the credential was not accepted.', options?: SubclassOptions) {
    super('UNAUTHENTICATED', message, options);
  }
}
export class ForbiddenError extends NexusError {
  constructor(message = 'You do not have permission to perform this operation.', options?: SubclassOptions) {
    super('FORBIDDEN', message, options);
  }
}
export class TenantRequiredError extends NexusError {
  constructor(message = 'A tenant is required for this operation.', options?: SubclassOptions) {
    super('TENANT_REQUIRED', message, options);
  }
}
export class TenantAccessDeniedError extends NexusError {
  constructor(message = 'Access to this tenant is denied.', options?: SubclassOptions) {
    super('TENANT_ACCESS_DENIED', message, options);
  }
}
export class NotFoundError extends NexusError {
  constructor(message = 'Not found.', options?: SubclassOptions) {
    super('NOT_FOUND', message, options);
  }
}
export class ConflictError extends NexusError {
  constructor(message = 'The request conflicts with the current state.', options?: SubclassOptions) {
    super('CONFLICT', message, options);
  }
}
export class IdempotencyMismatchError extends NexusError {
  constructor(message = 'This idempotency key was already used with a different input.', options?: SubclassOptions) {
    super('IDEMPOTENCY_MISMATCH', message, options);
  }
}
export class PayloadTooLargeError extends NexusError {
  constructor(message = 'The request is too large.', options?: SubclassOptions) {
    super('PAYLOAD_TOO_LARGE', message, options);
  }
}
export class RateLimitedError extends NexusError {
  constructor(retryAfter: number, options?: Omit<SubclassOptions, 'retryAfter'>) {
    super('RATE_LIMITED', 'Rate limit exceeded; retry later.', { ...options, retryAfter: Math.max(1, Math.ceil(retryAfter)) });
  }
}
export class TimeoutError extends NexusError {
  constructor(message = 'The operation timed out.', options?: SubclassOptions) {
    super('TIMEOUT', message, options);
  }
}
export class CancelledError extends NexusError {
  constructor(message = 'The operation was cancelled.', options?: SubclassOptions) {
    super('CANCELLED', message, options);
  }
}
export class UnavailableError extends NexusError {
  constructor(message = 'The service is temporarily unavailable.', options?: SubclassOptions) {
    super('UNAVAILABLE', message, options);
  }
}
export class InternalError extends NexusError {
  constructor(message = 'An internal error occurred.', options?: SubclassOptions) {
    super('INTERNAL', message, options);
  }
}
