const SETUP_ERROR_BRAND = Symbol.for('nexus.setup-error');

/**
 * Stable setup codes. Packages add their own under the same `NEXUS_ERR_` prefix;
 * each is documented with its fix in the package's docs/errors.md.
 */
export type NexusSetupErrorCode = `NEXUS_ERR_${string}`;

/** A configuration or registration mistake: thrown at set-up time so the app never starts half-configured. */
export class NexusSetupError extends Error {
  readonly [SETUP_ERROR_BRAND] = true;
  readonly code: NexusSetupErrorCode;

  constructor(code: NexusSetupErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = 'NexusSetupError';
    this.code = code;
  }
}

export function isNexusSetupError(value: unknown): value is NexusSetupError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SETUP_ERROR_BRAND] === true;
}
