import type { IdempotencyOptions } from './idempotency/options.js';
import type { Logger } from './logger.js';

export interface NexusOptions {
  /** Default port of the first-party API channel (8000). Core only stores it. */
  readonly apiPort?: number;
  /** Default port of the first-party MCP channel (3001). */
  readonly mcpPort?: number;
  /** Default bind address of network channels (127.0.0.1). */
  readonly host?: string;
  /** Serve `/metrics` and collect process metrics. */
  readonly enableMonitoring?: boolean;
  readonly logger?: Logger;
  /** Deadline for operations that set no `timeoutMs` (30 s). */
  readonly defaultTimeoutMs?: number;
  /** How long `stop()` waits for in-flight calls (10 s). */
  readonly drainTimeoutMs?: number;
  /** Idempotency keys: on by default with an in-memory store; `false` ignores every key. */
  readonly idempotency?: IdempotencyOptions | false;
  /**
   * On `stop()`, how long every channel keeps accepting while readiness already answers 503, so
   * load balancers move away before any connection is refused (0). Counts against the grace period.
   */
  readonly drainDelayMs?: number;
  /** Log `<channel> listening on <url>` (level info) for each channel once `start()` has opened it (false). */
  readonly logStartup?: boolean;
}

export type ResolvedNexusOptions = Required<Omit<NexusOptions, 'logger' | 'idempotency' | 'logStartup'>>;
export type NexusState = 'idle' | 'starting' | 'running' | 'draining' | 'stopped';

/** The options with their defaults filled in. */
export function resolveNexusOptions(options: NexusOptions): ResolvedNexusOptions {
  return {
    apiPort: options.apiPort ?? 8000,
    mcpPort: options.mcpPort ?? 3001,
    host: options.host ?? '127.0.0.1',
    enableMonitoring: options.enableMonitoring ?? false,
    defaultTimeoutMs: options.defaultTimeoutMs ?? 30_000,
    drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
    drainDelayMs: options.drainDelayMs ?? 0,
  };
}
