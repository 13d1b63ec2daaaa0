import type { HealthReport, JobListAnswer, JobListPage, JobRecord, JobStatus, ProblemDetails, RateLimitInfo } from '@nexus/core';
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

/**
 * How `run` treats jobs: `auto` leaves it to the operation (long-running ones become jobs),
 * `async` and `wait` make any operation a job (`--async`, `--wait`).
 */
export type RunMode = 'auto' | 'async' | 'wait';

/** What a submission answers: the id to follow the job by, and its first status. */
export interface JobAck {
  readonly operationId: string;
  readonly status: JobStatus;
}

/** A call answered at once (`result`) or accepted as a job to follow (`job`). */
export type RunAnswer = { readonly result: unknown } | { readonly job: JobAck };

/** What a command needs from wherever operations run: a remote server or the app in this process. */
export interface Backend {
  list(): Promise<Outcome<OperationSummary[]>>;
  describe(name: string): Promise<Outcome<OperationSummary>>;
  run(name: string, input: unknown, mode: RunMode): Promise<Outcome<RunAnswer>>;
  /** One job of the caller's; NOT_FOUND for unknown ids and other callers' jobs alike. */
  job(operationId: string): Promise<Outcome<JobRecord>>;
  /** Cancels a queued or running job; CONFLICT once it finished. */
  cancelJob(operationId: string): Promise<Outcome<JobRecord>>;
  /** A page of the caller's own jobs in its tenant, newest first; `nextCursor` names the next page. */
  jobs(page?: JobListPage): Promise<Outcome<JobListAnswer>>;
  /**
   * Follows a job until it ends, passing each record seen to `onRecord`. When the command's
   * signal aborts first (Ctrl-C): a CANCELLED failure where the job goes on without this
   * process, or the cancelled record where it cannot (jobs kept in this process's memory).
   */
  watch(operationId: string, onRecord: (record: JobRecord) => void, options?: WatchOptions): Promise<Outcome<JobRecord>>;
  /** Succeeds with the report even when unhealthy; the exit status follows the report. */
  health(): Promise<Outcome<HealthReport>>;
}

export interface WatchOptions {
  /** Each record is shown (a progress bar), so records are wanted while the job runs, not only its end. */
  readonly progress?: boolean;
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
