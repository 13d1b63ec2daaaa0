import { randomUUID } from 'node:crypto';
import { ConflictError } from '../errors.js';
import type { HealthCheckResult } from '../health.js';
import { JOB_STATUSES, TERMINAL } from './types.js';
import type { ProgressUpdate, JobExecutor, JobFilter, JobPort, JobPosition, JobRecord, JobStatus, JobSubmission, StoredJob } from './types.js';

export interface MemoryJobPortOptions {
  /** How long a finished job stays readable, in seconds (86400). */
  readonly ttlSeconds?: number;
}

interface Entry {
  job: StoredJob;
  controller?: AbortController | undefined;
  expiresAt?: number;
}

/**
 * The embedded port: one process, no Redis. Jobs live in memory, so a restart loses them; the
 * behaviour callers see (statuses, cancel, progress) is the distributed port's.
 */
export function createMemoryJobPort(options: MemoryJobPortOptions = {}): JobPort {
  const ttlMs = (options.ttlSeconds ?? 86_400) * 1000;
  const entries = new Map<string, Entry>();
  const queue: string[] = [];
  const listeners = new Map<string, Set<(record: JobRecord) => void>>();
  const running = new Set<Promise<void>>();
  let executor: JobExecutor | undefined;
  let concurrency = 0;
  let active = 0;

  const sweep = () => {
    const now = Date.now();
    for (const [id, entry] of entries) if (entry.expiresAt !== undefined && entry.expiresAt <= now) entries.delete(id);
  };
  const live = (id: string): Entry | undefined => {
    const entry = entries.get(id);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(id);
      return undefined;
    }
    return entry;
  };
  const update = (entry: Entry, patch: Partial<JobRecord>) => {
    const record: JobRecord = { ...entry.job.record, ...patch };
    entry.job = { ...entry.job, record };
    if (TERMINAL.has(record.status)) {
      entry.expiresAt = Date.now() + ttlMs;
      entry.controller = undefined;
    }
    for (const listener of listeners.get(record.operationId) ?? []) listener(record);
  };

  const runOne = async (entry: Entry): Promise<void> => {
    const controller = new AbortController();
    entry.controller = controller;
    update(entry, { status: 'running', startedAt: new Date().toISOString() });
    const progress = (next: ProgressUpdate) => {
      if (!TERMINAL.has(entry.job.record.status)) update(entry, { progress: next });
    };
    const outcome = await executor!(entry.job, controller.signal, progress);
    // A cancel already wrote the final state; the handler's late answer changes nothing.
    if (TERMINAL.has(entry.job.record.status)) return;
    update(entry, { ...outcome, finishedAt: new Date().toISOString() });
  };

  const pump = () => {
    while (executor !== undefined && active < concurrency && queue.length > 0) {
      const entry = live(queue.shift()!);
      if (entry === undefined || entry.job.record.status !== 'queued') continue;
      active++;
      const done: Promise<void> = runOne(entry)
        .catch(() => undefined)
        .finally(() => {
          active--;
          running.delete(done);
          pump();
        });
      running.add(done);
    }
  };

  return {
    kind: 'memory',
    ttlSeconds: ttlMs / 1000,
    async submit(submission: JobSubmission) {
      sweep();
      const record: JobRecord = { operationId: randomUUID(), operation: submission.operation, status: 'queued', createdAt: new Date().toISOString() };
      entries.set(record.operationId, { job: { record, input: submission.input, caller: submission.caller } });
      queue.push(record.operationId);
      // After the current turn: the submission that queued the job is answered and audited
      // before the job runs, however few promise hops its pipeline takes.
      setImmediate(pump);
      return record;
    },
    async get(id) {
      return live(id)?.job;
    },
    async list(filter: JobFilter, limit, after) {
      sweep();
      const matches = [...entries.values()].map((entry) => entry.job).filter((job) => job.caller.tenant?.id === filter.tenantId
        && (filter.principalId === undefined || job.caller.principal?.id === filter.principalId)).reverse();
      const start = after === undefined ? 0 : startAfter(matches, after);
      return matches.slice(start, start + limit);
    },
    async cancel(id) {
      const entry = live(id);
      if (entry === undefined) return undefined;
      if (TERMINAL.has(entry.job.record.status)) throw new ConflictError(`Operation ${id} already finished (${entry.job.record.status}).`);
      const controller = entry.controller;
      update(entry, { status: 'cancelled', finishedAt: new Date().toISOString() });
      controller?.abort();
      return entry.job.record;
    },
    subscribe(id, listener, onActive) {
      let set = listeners.get(id);
      if (set === undefined) listeners.set(id, (set = new Set()));
      set.add(listener);
      onActive?.();
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(id);
      };
    },
    async work(run, workOptions) {
      executor = run;
      concurrency = workOptions.concurrency;
      // Not at once: the first submission starts the worker, and is answered before its job runs.
      setImmediate(pump);
    },
    async stopWorking(graceMs) {
      executor = undefined;
      if (running.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...running]), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      // Past the grace period the process is going away and these jobs with it: stop them.
      for (const entry of entries.values()) entry.controller?.abort();
    },
    async counts() {
      sweep();
      const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
      for (const entry of entries.values()) counts[entry.job.record.status]++;
      return counts;
    },
    async health(): Promise<HealthCheckResult> {
      return { status: 'healthy', detail: 'in-process jobs (lost on restart)' };
    },
    async close() {
      executor = undefined;
      listeners.clear();
    },
  };
}

/**
 * Where a page after `after` starts in `newest` (newest first, in submission order): just past
 * that job, wherever newer ones were added since. Once it expired, past the jobs of its millisecond.
 */
function startAfter(newest: readonly StoredJob[], after: JobPosition): number {
  const at = newest.findIndex((job) => job.record.operationId === after.operationId);
  if (at >= 0) return at + 1;
  const older = newest.findIndex((job) => Date.parse(job.record.createdAt) < after.createdAtMs);
  return older < 0 ? newest.length : older;
}
