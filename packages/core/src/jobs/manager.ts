import type { Histogram } from 'prom-client';
import type { InvocationInit, JobPhase, ListInit, NexusContext } from '../context.js';
import { NotFoundError, UnavailableError, isNexusError, toNexusError } from '../errors.js';
import type { HealthCheck } from '../health.js';
import type { InvocationResult } from '../invocation.js';
import { runHandler } from '../invocation.js';
import type { Logger } from '../logger.js';
import { UNKNOWN_OPERATION_LABEL, whenMetricsBuilt } from '../metrics.js';
import type { NexusMetrics } from '../metrics.js';
import type { OperationDefinition } from '../operation.js';
import type { Terminal } from '../compose.js';
import type { Pipelines } from '../pipelines.js';
import { createContext } from '../create-context.js';
import { JOBS_PAGE_LIMIT, decodeCursor, emptyPage, pageLimit, readPage } from './cursor.js';
import type { JobListPage } from './cursor.js';
import { createMemoryJobPort } from './memory.js';
import { JOB_STATUSES, TERMINAL } from './types.js';
import type { JobOutcome, JobPort, JobRecord, ProgressUpdate, StoredJob } from './types.js';

/** The permission that lets a caller see and cancel every job of its tenant. */
export const JOBS_ADMIN_PERMISSION = 'admin:operations';
/** A list page holds at most this many jobs; `nextCursor` reaches older ones. */
export const JOBS_LIST_LIMIT = JOBS_PAGE_LIMIT;
// Ids are UUIDs: a longer one names no job, and audit keeps no more of it than this.
const AUDITED_ID_LENGTH = 128;
/** The longest a status read may wait for its job to end (below common HTTP request timeouts). */
export const MAX_JOB_WAIT_MS = 30_000;
/** A waiting read also re-reads this often, in case a change event was lost (a cross-process store's pub/sub). */
const RECHECK_MS = 1_000;

export interface JobsOptions {
  /** Where jobs live; the in-process port when absent (jobs lost on restart). */
  readonly port?: JobPort;
  /** Whether this process works jobs (true); a pure API server sets false. */
  readonly worker?: boolean;
  /** Jobs this process runs at once (4). */
  readonly concurrency?: number;
  /** Deadline of a job whose operation sets no `timeoutMs` (1 h). */
  readonly timeoutMs?: number;
}

/** What the app lends the job manager; it keeps the manager outside the Nexus class. */
export interface JobsHost {
  readonly logger: Logger;
  readonly metrics: NexusMetrics;
  operation(name: string): OperationDefinition | undefined;
  hasLongRunning(): boolean;
  addHealthCheck(name: string, check: HealthCheck): void;
  /** Submission (the invoke pipeline queueing in place of the handler), routes, the observe phase alone, permission checks. */
  readonly pipelines: Pick<Pipelines, 'submit' | 'route' | 'observed' | 'checkPermission'>;
  run(ctx: NexusContext, label: string, pipeline: Terminal): Promise<InvocationResult>;
}

/** Submission, lookup, cancel and execution of long-running operations for one app. */
export class JobManager {
  private port: JobPort | undefined;
  private options: JobsOptions = {};
  private working = false;
  private announced = false;
  private submit: Terminal | undefined;
  private duration: Histogram<'operation'> | undefined;
  /** Job durations ended before the registry existed, replayed into the histogram when it does. */
  private pendingDurations: Array<[string, number]> = [];
  private instrumented = false;

  constructor(private readonly host: JobsHost) {}

  configure(options: JobsOptions): void {
    this.options = { ...this.options, ...options };
  }

  /** The port in use; the in-process one is made on first need. */
  get store(): JobPort {
    if (this.port === undefined) {
      this.port = this.options.port ?? createMemoryJobPort();
      this.instrument(this.port);
    }
    return this.port;
  }

  /**
   * Says once in the log that jobs are lost on restart, when they live in this process: a server
   * says it as it starts (if it has jobs to run); a command line only once it submits a job, so
   * its other commands stay quiet.
   */
  announce(): void {
    if (this.options.port !== undefined || this.host.hasLongRunning()) this.warnOnce();
  }

  private warnOnce(): void {
    if (this.announced) return;
    this.announced = true;
    if (this.store.kind === 'memory') this.host.logger.warn('jobs run in this process and are lost on restart (no job store configured)');
  }

  /** Starts working jobs when the app has any to work (or a store was configured). */
  async start(): Promise<void> {
    if (this.options.port !== undefined || this.host.hasLongRunning()) await this.startWorker();
  }

  /** Synchronous: the first thing a stopping app does, so no job is taken while it drains. */
  stopTaking(): void {
    (this.port ?? this.options.port)?.stopTaking?.();
  }

  async stop(graceMs: number): Promise<void> {
    // A configured store may hold connections even if no job was ever submitted here.
    const port = this.port ?? this.options.port;
    if (port === undefined) return;
    await port.stopWorking(graceMs);
    await port.close();
  }

  /** The whole pipeline runs now; the handler runs later on a worker with the caller captured here. */
  submitInvocation(init: InvocationInit): Promise<InvocationResult> {
    const definition = this.host.operation(init.operation);
    const ctx = createContext(this.host.logger, init, init.operation, definition, 'invoke');
    const label = definition ? definition.name : UNKNOWN_OPERATION_LABEL;
    const admission = init.admission;
    if (admission !== undefined) return this.host.run(ctx, label, this.host.pipelines.submit((admitted) => this.enqueue(admitted), admission));
    this.submit ??= this.host.pipelines.submit((admitted) => this.enqueue(admitted));
    return this.host.run(ctx, label, this.submit);
  }

  /**
   * The job's record; with `waitMs`, answered once the job ended or that time passed (at most
   * MAX_JOB_WAIT_MS), so a caller awaiting a result needs one read instead of a polling loop.
   */
  get(init: ListInit, operationId: string, options: { readonly waitMs?: number } = {}): Promise<InvocationResult> {
    return this.route(init, async (ctx) => {
      const { record } = await this.visible(ctx, operationId);
      const waitMs = Math.min(options.waitMs ?? 0, MAX_JOB_WAIT_MS);
      return waitMs > 0 && !TERMINAL.has(record.status) ? this.ended(record, waitMs, ctx.signal) : record;
    }, { operationId, phase: 'lookup' });
  }

  cancel(init: ListInit, operationId: string): Promise<InvocationResult> {
    return this.route(init, async (ctx) => {
      await this.visible(ctx, operationId);
      const record = await this.storeCall(() => this.store.cancel(operationId));
      if (record === undefined) throw notFound(operationId);
      return record;
    }, { operationId, phase: 'cancel' });
  }

  /**
   * One page (newest first, `JOBS_PAGE_LIMIT` at most) of the jobs the caller could get by id: its
   * own, or all of its tenant's for that tenant's admin; `nextCursor` reads the next page.
   */
  list(init: ListInit, page: JobListPage = {}): Promise<InvocationResult> {
    return this.route(init, async (ctx) => {
      const limit = pageLimit(page.limit);
      // Anonymous jobs are reachable by id only: a list would show every anonymous caller's.
      const principalId = ctx.principal?.id;
      if (principalId === undefined) return emptyPage(page);
      const tenantId = ctx.tenant?.id;
      const filter = (await this.isAdmin(ctx)) ? { tenantId } : { tenantId, principalId };
      const after = page.cursor === undefined ? undefined : decodeCursor(filter, page.cursor);
      return this.storeCall(() => readPage(this.store, filter, limit, after));
    });
  }

  /** The record once the job ended, or the newest one after `waitMs` (or when `signal` aborts). */
  private ended(current: JobRecord, waitMs: number, signal: AbortSignal): Promise<JobRecord> {
    const id = current.operationId;
    return new Promise((resolve) => {
      let latest = current;
      const settle = (record?: JobRecord) => {
        if (record !== undefined) latest = record;
        if (record !== undefined && !TERMINAL.has(record.status)) return;
        clearTimeout(deadline);
        clearInterval(recheck);
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
        resolve(latest);
      };
      const onAbort = () => settle();
      const check = () => void this.store.get(id).then((job) => job && settle(job.record), () => undefined);
      // Read again once changes are heard: the job may have ended since the caller's read.
      const unsubscribe = this.store.subscribe(id, (record) => settle(record), () => queueMicrotask(check));
      const deadline = setTimeout(() => settle(), waitMs);
      const recheck = setInterval(check, RECHECK_MS);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) return settle();
    });
  }

  /** Record changes of a job the caller may see, for channels that stream progress; `onActive` as the port's. */
  subscribe(operationId: string, listener: (record: JobRecord) => void, onActive?: () => void): () => void {
    return this.store.subscribe(operationId, listener, onActive);
  }

  /** Starts working jobs in this process (unless `worker: false`); `start()` calls it when there are jobs to work. */
  async startWorker(): Promise<void> {
    if (this.working || this.options.worker === false) return;
    this.working = true;
    await this.store.work((job, signal, progress) => this.execute(job, signal, progress), { concurrency: this.options.concurrency ?? 4 });
  }

  private async enqueue(ctx: NexusContext): Promise<unknown> {
    const definition = ctx.definition!;
    const record = await this.storeCall(() => this.store.submit({
      operation: definition.name,
      input: ctx.input,
      idempotent: definition.annotations.idempotent === true,
      caller: {
        requestId: ctx.requestId,
        channel: ctx.channel,
        ...(ctx.principal === undefined ? {} : { principal: ctx.principal }),
        ...(ctx.tenant === undefined ? {} : { tenant: ctx.tenant }),
        ...(ctx.traceparent === undefined ? {} : { traceparent: ctx.traceparent }),
        ...(ctx.clientAddress === undefined ? {} : { clientAddress: ctx.clientAddress }),
      },
    }));
    ctx.annotations.job = { operationId: record.operationId, phase: 'submitted' };
    this.warnOnce();
    await this.startWorker();
    return { operationId: record.operationId, status: record.status, requestId: ctx.requestId };
  }

  /** Runs one job's handler with the submitter's context; every failure becomes the stored outcome. */
  private async execute(job: StoredJob, signal: AbortSignal, report: (update: ProgressUpdate) => void): Promise<JobOutcome> {
    const { caller, record } = job;
    const definition = this.host.operation(record.operation);
    const started = performance.now();
    const init: InvocationInit = {
      channel: caller.channel,
      operation: record.operation,
      input: job.input,
      requestId: caller.requestId,
      signal,
      onProgress: (current, total, message) => report({ current, ...(total === undefined ? {} : { total }), ...(message === undefined ? {} : { message }) }),
      ...(caller.traceparent === undefined ? {} : { traceparent: caller.traceparent }),
      ...(caller.clientAddress === undefined ? {} : { clientAddress: caller.clientAddress }),
    };
    const base = createContext(this.host.logger, init, record.operation, definition, 'invoke');
    const ctx: NexusContext = {
      ...base,
      ...(caller.principal === undefined ? {} : { principal: caller.principal }),
      ...(caller.tenant === undefined ? {} : { tenant: caller.tenant }),
      annotations: {
        ...(caller.principal === undefined ? {} : { principal: caller.principal }),
        ...(caller.tenant === undefined ? {} : { tenant: caller.tenant }),
        job: { operationId: record.operationId, phase: 'completed' },
      },
    };
    const timeoutMs = this.options.timeoutMs ?? 3_600_000;
    const terminal = this.host.pipelines.observed(async (inner) => {
      if (inner.definition === undefined) throw notFound(record.operation);
      return runHandler(inner, timeoutMs);
    });
    try {
      const result = await terminal(ctx);
      return { status: 'succeeded', result };
    } catch (thrown) {
      const error = toNexusError(thrown);
      if (error.code === 'INTERNAL') ctx.logger.error('job failed', { operation: record.operation, operationId: record.operationId, error: isNexusError(thrown) ? thrown.cause ?? thrown : thrown });
      return { status: signal.aborted && error.code === 'CANCELLED' ? 'cancelled' : 'failed', error: error.toProblem(caller.requestId) };
    } finally {
      this.observeDuration(definition?.name ?? 'unknown', (performance.now() - started) / 1000);
    }
  }

  private route(init: ListInit, body: (ctx: NexusContext) => Promise<unknown>, job?: { operationId: string; phase: JobPhase }): Promise<InvocationResult> {
    const ctx = createContext(this.host.logger, init, '$route', undefined, 'route');
    // Named before admission, so a refused caller's record says which job it asked for too.
    if (job !== undefined) ctx.annotations.job = { operationId: job.operationId.slice(0, AUDITED_ID_LENGTH), phase: job.phase };
    return this.host.run(ctx, '$route', this.host.pipelines.route(body, init.admission));
  }

  /** The job, if the caller may see it; NOT_FOUND otherwise, so nobody learns another's ids exist. */
  private async visible(ctx: NexusContext, operationId: string): Promise<StoredJob> {
    const job = await this.storeCall(() => this.store.get(operationId));
    if (job === undefined || !sameTenant(ctx, job)) throw notFound(operationId);
    if (job.caller.principal?.id === ctx.principal?.id || (await this.isAdmin(ctx))) return job;
    throw notFound(operationId);
  }

  /** Whether the caller administers the jobs of its tenant (any refusal of the permission means no). */
  private async isAdmin(ctx: NexusContext): Promise<boolean> {
    try {
      await this.host.pipelines.checkPermission(ctx, JOBS_ADMIN_PERMISSION);
      return true;
    } catch (error) {
      if (isNexusError(error)) return false;
      throw error;
    }
  }

  private async storeCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isNexusError(error)) throw error;
      throw new UnavailableError('The job store is unavailable.', { cause: error });
    }
  }

  private observeDuration(operation: string, seconds: number): void {
    if (this.duration !== undefined) return this.duration.observe({ operation }, seconds);
    if (!this.instrumented) return;
    this.pendingDurations.push([operation, seconds]);
    // Bounded like core's own backlog: past it, reading the registry builds it and replays.
    if (this.pendingDurations.length >= 1024) void this.host.metrics.registry;
  }

  private instrument(port: JobPort): void {
    this.instrumented = true;
    whenMetricsBuilt(this.host.metrics, ({ Gauge, Histogram }, registry) => {
      new Gauge({
        name: 'nexus_jobs',
        help: 'Jobs in the store by state.',
        labelNames: ['state'] as const,
        registers: [registry],
        async collect() {
          const counts = await port.counts().catch(() => undefined);
          if (counts !== undefined) for (const state of JOB_STATUSES) this.set({ state }, counts[state]);
        },
      });
      this.duration = new Histogram({
        name: 'nexus_job_duration_seconds',
        help: 'Time a job ran on a worker, by operation.',
        labelNames: ['operation'] as const,
        buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
        registers: [registry],
      });
      for (const [operation, seconds] of this.pendingDurations.splice(0)) this.duration.observe({ operation }, seconds);
    });
    this.host.addHealthCheck('jobs', () => port.health());
  }
}

function sameTenant(ctx: NexusContext, job: StoredJob): boolean {
  return job.caller.tenant?.id === ctx.tenant?.id;
}

function notFound(operationId: string): NotFoundError {
  return new NotFoundError(`Unknown operation id "${operationId}".`);
}
