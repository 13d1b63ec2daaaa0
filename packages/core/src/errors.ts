const NEXUS_ERROR_BRAND = Symbol.for('nexus.error');

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

/** The problem-details `status` of each code; HTTP uses it as the response status. */
export const ERROR_STATUS = {
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

const TITLES = {
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

/** One failed field of an input, addressed by a dotted path (`profile.email`, `items.0`). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface NexusErrorOptions {
  readonly cause?: unknown;
  readonly errors?: readonly FieldError[];
  /** Seconds until a retry can succeed (rate limits). */
  readonly retryAfter?: number;
  /** Extra public fields rendered with the error (never secrets). */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** The wire shape every channel renders: RFC 9457 problem details plus Nexus fields. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: NexusErrorCode;
  readonly detail: string;
  readonly requestId?: string;
  readonly errors?: readonly FieldError[];
  readonly retryAfter?: number;
  readonly [extension: string]: unknown;
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

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toProblem(requestId?: string): ProblemDetails {
    return {
      ...this.extensions,
      type: `urn:nexus:error:${this.code}`,
      title: TITLES[this.code],
      status: ERROR_STATUS[this.code],
      code: this.code,
      detail: this.message,
      ...(requestId === undefined ? {} : { requestId }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
      ...(this.retryAfter === undefined ? {} : { retryAfter: this.retryAfter }),
    };
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
