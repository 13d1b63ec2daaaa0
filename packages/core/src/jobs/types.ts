import type { Principal, TenantInfo } from '../context.js';
import type { ProblemDetails } from '../errors.js';
import type { HealthCheckResult } from '../health.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/** What `ctx.progress(...)` reports: `current` of `total` steps, with an optional line of text. */
export interface ProgressUpdate {
  readonly current: number;
  readonly total?: number;
  readonly message?: string;
}

/** A job as callers see it, on every channel. */
export interface JobRecord {
  readonly operationId: string;
  readonly operation: string;
  readonly status: JobStatus;
  readonly progress?: ProgressUpdate;
  readonly result?: unknown;
  /** The problem object, with the same hidden detail as a synchronous call's. */
  readonly error?: ProblemDetails;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

/** The caller's context captured at submission; the handler later runs with it. */
export interface JobCaller {
  readonly requestId: string;
  readonly channel: string;
  readonly principal?: Principal;
  readonly tenant?: TenantInfo;
  readonly traceparent?: string;
  readonly clientAddress?: string;
}

/** What is stored per job: the record plus what running it needs. */
export interface StoredJob {
  readonly record: JobRecord;
  /** The input as validated at submission. */
  readonly input: unknown;
  readonly caller: JobCaller;
}

export interface JobSubmission {
  readonly operation: string;
  readonly input: unknown;
  readonly caller: JobCaller;
  /** Safe to run again after a worker died mid-job (the operation's `idempotent` annotation). */
  readonly idempotent: boolean;
}

/** How a run ended; the port stores it unless the job was cancelled meanwhile. */
export type JobOutcome =
  | { readonly status: 'succeeded'; readonly result: unknown }
  | { readonly status: 'failed' | 'cancelled'; readonly error: ProblemDetails };

/** Runs one job: supplied by the app, called by the port's worker. */
export type JobExecutor = (job: StoredJob, signal: AbortSignal, progress: (update: ProgressUpdate) => void) => Promise<JobOutcome>;

/**
 * Whose jobs to list, in one tenant (or in none): one principal's, or, without `principalId`,
 * every job of the tenant (anonymous submissions included).
 */
export interface JobFilter {
  readonly tenantId: string | undefined;
  readonly principalId?: string;
}

/** Where a list page starts: after the job created at `createdAtMs` with `operationId`. */
export interface JobPosition {
  readonly createdAtMs: number;
  readonly operationId: string;
}

/**
 * Where jobs are queued, stored and worked. Core ships an in-process port; `@nexus/jobs`
 * provides one on BullMQ. Ports judge nothing: visibility is checked by the app.
 */
export interface JobPort {
  /** `memory` (in-process, lost on restart) or the distributed backend's name. */
  readonly kind: string;
  /** How long a finished job stays readable, in seconds, when the port knows (channels quote it, as MCP's task ttl). */
  readonly ttlSeconds?: number;
  /** Queues a job; rejects (nothing queued) when the store cannot take it. */
  submit(submission: JobSubmission): Promise<JobRecord>;
  get(operationId: string): Promise<StoredJob | undefined>;
  /**
   * The filter's jobs, newest first (by creation time, then by id descending); with `after`, only
   * those past that position, so jobs created meanwhile never shift a later page.
   */
  list(filter: JobFilter, limit: number, after?: JobPosition): Promise<StoredJob[]>;
  /** Undefined for an unknown id; throws ConflictError when the job already finished. */
  cancel(operationId: string): Promise<JobRecord | undefined>;
  /**
   * Record changes (progress, status) of one job, where the port can see them; returns the
   * unsubscribe. `onActive` is called once every later change reaches `listener`: at once where
   * subscribing takes effect at once, after a round trip where it goes over the network. A
   * caller reads the record then, so no change between its read and the subscription is lost.
   */
  subscribe(operationId: string, listener: (record: JobRecord) => void, onActive?: () => void): () => void;
  /** Starts working jobs with `executor` in this process. */
  work(executor: JobExecutor, options: { readonly concurrency: number }): Promise<void>;
  /**
   * Stops taking new jobs at once, as the app starts to stop (before its drain), leaving running
   * ones be; `stopWorking` follows. A shared store implements it, so jobs submitted meanwhile go
   * to workers that stay; a store whose jobs can run nowhere else leaves it out and keeps working
   * through the drain.
   */
  stopTaking?(): void;
  /** Stops taking jobs; running ones get up to `graceMs` to finish. */
  stopWorking(graceMs: number): Promise<void>;
  counts(): Promise<Record<JobStatus, number>>;
  health(): Promise<HealthCheckResult>;
  close(): Promise<void>;
}

export const TERMINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);
