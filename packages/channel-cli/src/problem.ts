import type { NexusErrorCode, ProblemDetails } from '@nexus/core';

// The CLI's own failures (usage, files, transport) are built here rather than with core's
// error classes, so the remote bin starts without loading core's runtime (zod, prom-client).
const STATUS = {
  INVALID_INPUT: [400, 'Invalid input'],
  UNAUTHENTICATED: [401, 'Authentication required'],
  FORBIDDEN: [403, 'Forbidden'],
  TENANT_REQUIRED: [403, 'Tenant required'],
  TENANT_ACCESS_DENIED: [403, 'Tenant access denied'],
  NOT_FOUND: [404, 'Not found'],
  CONFLICT: [409, 'Conflict'],
  IDEMPOTENCY_MISMATCH: [422, 'Idempotency key reused'],
  PAYLOAD_TOO_LARGE: [413, 'Payload too large'],
  RATE_LIMITED: [429, 'Too many requests'],
  CANCELLED: [499, 'Cancelled'],
  TIMEOUT: [504, 'Timed out'],
  UNAVAILABLE: [503, 'Service unavailable'],
  INTERNAL: [500, 'Internal error'],
} as const satisfies Record<NexusErrorCode, readonly [number, string]>;

/** A problem object of the same shape core's `error.toProblem()` renders. */
export function problem(code: NexusErrorCode, detail: string, requestId?: string): ProblemDetails {
  const [status, title] = STATUS[code];
  return { type: `urn:nexus:error:${code}`, title, status, code, detail, ...(requestId === undefined ? {} : { requestId }) };
}

/** Same rule as core's `isValidRequestId`: safe to send, echo and log. */
export const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
