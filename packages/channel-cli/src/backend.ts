import type { HealthReport, OperationAnnotations, ProblemDetails, RateLimitInfo } from '@nexus/core';

/** An operation as the CLI shows it, the same shape in both modes (the catalogue entry every channel shows). */
export interface OperationSummary {
  readonly name: string;
  readonly kind: string;
  readonly description: string;
  readonly permission: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
  readonly outputSchema?: Readonly<Record<string, unknown>>;
  /** Behaviour hints: `title`, `readOnly`, `destructive` (asked before running on a terminal), `idempotent`, `openWorld`. */
  readonly annotations?: OperationAnnotations;
  readonly deprecated?: boolean;
  /** Sample calls; only `describe` carries them. */
  readonly examples?: readonly unknown[];
  /** A workflow's graph (nodes, edges); only `describe` carries it. */
  readonly workflow?: unknown;
}

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

/**
 * The public fields of a catalogue entry; `withGraph` keeps a workflow's graph (for `describe`).
 * Core's `catalogueEntry` does the same, but the remote bin does not load core at run time.
 */
export function summarize(operation: OperationSummary, withGraph = false): OperationSummary {
  return {
    name: operation.name,
    kind: operation.kind,
    description: operation.description,
    permission: operation.permission,
    inputSchema: operation.inputSchema,
    ...(operation.outputSchema === undefined ? {} : { outputSchema: operation.outputSchema }),
    ...(operation.annotations === undefined ? {} : { annotations: operation.annotations }),
    ...(operation.deprecated === true ? { deprecated: true } : {}),
    ...(withGraph && operation.examples !== undefined ? { examples: operation.examples } : {}),
    ...(withGraph && operation.workflow !== undefined ? { workflow: operation.workflow } : {}),
  };
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
