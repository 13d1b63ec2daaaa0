import { randomUUID } from 'node:crypto';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}

/** Honours a caller's id when it is safe to echo and log; otherwise makes a new one. */
export function acceptRequestId(candidate: unknown): string {
  return isValidRequestId(candidate) ? candidate : randomUUID();
}
