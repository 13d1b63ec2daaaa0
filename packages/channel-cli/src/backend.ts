import type { HealthReport, ProblemDetails, RateLimitInfo } from '@nexus/core';
import type { CatalogueEntry } from '@nexus/core/protocol';

/** An operation as the CLI shows it, the same shape in both modes: core's catalogue entry. */
export type OperationSummary = CatalogueEntry;

/** A failure ready to render. `local`: the CLI itself refused (usage, files); no server or pipeline was asked. */
export interface Failure {
  readonly ok: false;
  readonly problem: ProblemDetails;
  readonly local?: boolean;
}

export type Outcome<T> =
  | { readonly ok: true; readonly value: T; readonly requestId?: string; readonly durationMs?: number; readonly rateLimit?: RateLimitInfo; readonly replayed?: true }
  | Failure;

/** What a command needs from wherever operations run: a remote server or the app in this process. */
export interface Backend {
  list(): Promise<Outcome<OperationSummary[]>>;
  describe(name: string): Promise<Outcome<OperationSummary>>;
  run(name: string, input: unknown): Promise<Outcome<unknown>>;
  /** Succeeds with the report even when unhealthy; the exit status follows the report. */
  health(): Promise<Outcome<HealthReport>>;
}

/** Per-command caller facts, from the global options and the environment. */
export interface BackendSettings {
  readonly token?: string;
  readonly tenant?: string;
  readonly requestId?: string;
  readonly timeoutMs?: number;
  /** Sent with `run` only; the other commands are reads. */
  readonly idempotencyKey?: string;
  readonly signal: AbortSignal;
  readonly argv: readonly string[];
}

/** One timer and one signal for a call: aborted by the caller (Ctrl-C) or by `--timeout`. */
export function callSignal(settings: BackendSettings): { signal: AbortSignal; timedOut: () => boolean; done: () => void } {
  if (settings.timeoutMs === undefined) return { signal: settings.signal, timedOut: () => false, done: () => {} };
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, settings.timeoutMs);
  const onAbort = () => controller.abort();
  if (settings.signal.aborted) controller.abort();
  else settings.signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    done: () => {
      clearTimeout(timer);
      settings.signal.removeEventListener('abort', onAbort);
    },
  };
}
