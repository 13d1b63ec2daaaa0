import type { NexusErrorCode } from '@nexus/core';

/** The process exit status of each error code (sysexits.h values; 130 is the shell's Ctrl-C status). */
export const EXIT_CODES = {
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

/** Exit status of a command line that could not be understood. */
export const USAGE_EXIT_CODE = 64;

const CODES = new Set<string>(Object.keys(EXIT_CODES));

export function isErrorCode(value: unknown): value is NexusErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

/** Exit status for a code; anything unrecognised is treated as an internal failure. */
export function exitCodeOf(code: string): number {
  return isErrorCode(code) ? EXIT_CODES[code] : EXIT_CODES.INTERNAL;
}
