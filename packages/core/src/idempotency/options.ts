import type { Logger } from '../logger.js';
import { NexusSetupError } from '../setup-error.js';
import type { IdempotencySettings } from './stage.js';
import { createMemoryIdempotencyStore } from './store.js';
import type { IdempotencyStore } from './store.js';

/** How idempotency keys are honoured; plugins with a shared store pass it to `app.configureIdempotency`. */
export interface IdempotencyOptions {
  /** Where outcomes are kept (this process's memory). Share one store between instances behind a load balancer. */
  readonly store?: IdempotencyStore;
  /** How long a finished call's outcome is kept, in seconds (86 400: 24 h). */
  readonly ttlSeconds?: number;
  /** While the store is unreachable, run calls without de-duplication (true) or refuse them with UNAVAILABLE. */
  readonly failOpen?: boolean;
}

const fail = (message: string): never => {
  throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', message);
};

/** Checks the options once, when the app is put together. */
export function resolveIdempotency(options: IdempotencyOptions, defaultTimeoutMs: number, logger: Logger): IdempotencySettings {
  if (typeof options !== 'object' || options === null) fail('idempotency must be an object or false');
  const ttlSeconds = options.ttlSeconds ?? 86_400;
  if (!(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) fail('idempotency.ttlSeconds must be a positive integer');
  if (options.failOpen !== undefined && typeof options.failOpen !== 'boolean') fail('idempotency.failOpen must be a boolean');
  const store = options.store ?? createMemoryIdempotencyStore();
  if (typeof store.claim !== 'function' || typeof store.complete !== 'function' || typeof store.release !== 'function') {
    fail('idempotency.store must implement claim, complete and release');
  }
  return { store, ttlMs: ttlSeconds * 1000, failOpen: options.failOpen ?? true, defaultTimeoutMs, logger };
}
