import { randomUUID } from 'node:crypto';
import { Queue, WaitingError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { UnavailableError } from '@nexus/core';
import type { HealthCheckResult, JobExecutor, JobPort, JobRecord, JobStatus, ProgressUpdate } from '@nexus/core';
import { RecordStore, isTerminal } from './records.js';

export interface BullMqJobPortOptions {
  /** `redis://` URL of the Redis that holds the queue and the records. */
  readonly url: string;
  /** Prefix of every key (`nexus`); tests and tenants of one Redis use their own. */
  readonly prefix?: string;
  /** Queue name (`nexus-jobs`). */
  readonly queue?: string;
  /** How long a finished job stays readable, in seconds (86400). */
  readonly ttlSeconds?: number;
  /** How often workers look for jobs whose worker died, in ms (30000). */
  readonly stalledIntervalMs?: number;
  /** How long a worker's hold on a job lasts without renewal, in ms (30000). */
  readonly lockDurationMs?: number;
}

const SUBMIT_TIMEOUT_MS = 2_000;

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  const deadline = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error('Redis did not answer in time')), ms)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

const unavailable = (): UnavailableError => new UnavailableError('A worker stopped while running this operation, and it is not safe to run it again.');

/**
 * The job port on BullMQ: jobs survive restarts and run on any process that works the queue.
 * A job whose worker died is run again by another worker when its operation is `idempotent`,
 * and ends `failed` with `UNAVAILABLE` otherwise.
 */
export function createBullMqJobPort(options: BullMqJobPortOptions): JobPort {
  const prefix = options.prefix ?? 'nexus';
  const name = options.queue ?? 'nexus-jobs';
  const ttlSeconds = options.ttlSeconds ?? 86_400;
  const records = new RecordStore(`${prefix}:${name}`, ttlSeconds);
  // Submissions and lookups answer within SUBMIT_TIMEOUT_MS while Redis is down or does not
  // answer (503, nothing half-queued); errors surface on the calls and in the health check.
  const quiet = (connection: Redis): Redis => connection.on('error', () => {});
  const client = quiet(new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: SUBMIT_TIMEOUT_MS, commandTimeout: SUBMIT_TIMEOUT_MS }));
  // ...while a worker's writes wait for Redis to return, so a result is not lost to an outage.
  let workerClient: Redis | undefined;
  let subscriber: Redis | undefined;
  // A client between connections (never connected yet, or reconnecting after an outage) has
  // nowhere to send commands: wait for it a bounded time, so the first calls after Redis
  // returns are not refused while the reconnect is pending.
  const reachable = async (): Promise<void> => {
    if (client.status === 'ready') return;
    let onReady!: () => void;
    try {
      await within(new Promise<void>((resolve) => client.once('ready', (onReady = resolve))), SUBMIT_TIMEOUT_MS);
    } finally {
      client.off('ready', onReady);
    }
  };
  // The queue shares the client: a record, its job and a late removal go in order on one connection.
  const queue = new Queue(name, { connection: client, prefix });
  queue.on('error', () => {});
  // Who listens to which job's changes, and whether that job's channel subscription took effect.
  const subscriptions = new Map<string, { readonly listeners: Set<(record: JobRecord) => void>; readonly active: Promise<boolean> }>();
  const controllers = new Map<string, AbortController>();
  let worker: Worker | undefined;
  // The worker's close, begun once: by stopTaking as the app starts to stop, or by stopWorking.
  let closing: Promise<void> | undefined;
  // Set as soon as this process stops taking jobs. BullMQ does not look at its own closing flag
  // again once its blocking read returns: a job whose hand-over was already under way when the
  // close began is still given to the processor, which puts it back (see work()).
  let stopping = false;
  const beginClose = (): Promise<void> | undefined => {
    stopping = true;
    closing ??= worker?.close().catch(() => undefined);
    return closing;
  };
  // Set when this process gives its running jobs up (closing past the grace period).
  let abandoning = false;
  const abandon = () => {
    abandoning = true;
    for (const controller of controllers.values()) controller.abort();
  };

  // One connection for every channel, opened when first needed: a worker hears cancels; a
  // process hears the changes of just the jobs its callers wait on (each job has its channel),
  // so no process decodes the changes of jobs nobody there waits for.
  const subscriberOf = (): Redis => {
    if (subscriber === undefined) {
      subscriber = quiet(new Redis(options.url, { maxRetriesPerRequest: null }));
      subscriber.on('message', (from: string, message: string) => {
        if (from === records.cancels) return controllers.get(message)?.abort();
        const entry = subscriptions.get(records.jobOfChanges(from));
        if (entry === undefined) return;
        const record = JSON.parse(message) as JobRecord;
        for (const listener of entry.listeners) listener(record);
      });
    }
    return subscriber;
  };

  const process = async (executor: JobExecutor, id: string): Promise<void> => {
    const store = workerClient!;
    // One round trip loads the job and, when queued, marks it running.
    const job = await records.start(store, id);
    if (job === undefined || isTerminal(job.record.status)) return;
    let current: JobRecord = job.record;
    if (!job.started) {
      // Running already: its worker died mid-job. Only an idempotent operation may run again.
      if (!job.idempotent) {
        await records.write(store, { ...job.record, status: 'failed', error: unavailable().toProblem(job.caller.requestId), finishedAt: new Date().toISOString() });
        return;
      }
      current = { ...job.record, status: 'running', startedAt: new Date().toISOString() };
      if ((await records.write(store, current)) !== 'written') return;
    }
    const controller = new AbortController();
    controllers.set(id, controller);
    // Progress writes go one after another; only the newest pending one is kept. The final write
    // carries the last progress and follows them on the same connection, so it need not wait
    // for them; one sent after it is refused by the store (the job has ended). Progress waits
    // for the next turn of the event loop: a job that reports and ends within one turn is
    // stored (and published to waiting callers) once, by its final write.
    let writing: Promise<unknown> = Promise.resolve();
    let ended = false;
    let scheduled = false;
    const flushProgress = () => {
      scheduled = false;
      if (ended) return;
      const snapshot = current;
      writing = writing.then(() => (current === snapshot && !ended ? records.write(store, snapshot) : undefined)).catch(() => undefined);
    };
    const progress = (update: ProgressUpdate) => {
      current = { ...current, progress: update };
      if (scheduled) return;
      scheduled = true;
      setImmediate(flushProgress);
    };
    try {
      const outcome = await executor({ record: current, input: job.input, caller: job.caller }, controller.signal, progress);
      // As if this process had died: the job stays locked until another worker recovers it (nothing is written).
      if (abandoning) return new Promise<never>(() => {});
      ended = true;
      await records.write(store, { ...current, ...outcome, finishedAt: new Date().toISOString() });
    } finally {
      controllers.delete(id);
    }
  };

  return {
    kind: 'bullmq',
    ttlSeconds,
    async submit(submission) {
      const record: JobRecord = { operationId: randomUUID(), operation: submission.operation, status: 'queued', createdAt: new Date().toISOString() };
      await reachable();
      try {
        await records.create(client, record, { input: submission.input, caller: submission.caller, idempotent: submission.idempotent });
        await within(queue.add(submission.operation, {}, { jobId: record.operationId, removeOnComplete: true, removeOnFail: { age: ttlSeconds } }), SUBMIT_TIMEOUT_MS);
      } catch (error) {
        // A Redis that stopped answering may still apply what it was sent: the removal follows on
        // the same connection, so a late record goes again, and a job BullMQ takes late finds no
        // record and is skipped. Not awaited: the caller has waited long enough for its 503.
        void records.remove(client, record, submission.caller).catch(() => undefined);
        throw error;
      }
      return record;
    },
    async get(id) {
      await reachable();
      const job = await records.load(client, id);
      return job && { record: job.record, input: job.input, caller: job.caller };
    },
    async list(filter, limit, after) {
      await reachable();
      return records.list(client, filter, limit, after);
    },
    async cancel(id) {
      await reachable();
      const record = await records.cancel(client, id);
      // A queued job leaves the queue at once; a running one stops through its signal.
      if (record !== undefined) await queue.remove(id).catch(() => undefined);
      return record;
    },
    subscribe(id, listener, onActive) {
      let entry = subscriptions.get(id);
      if (entry === undefined) {
        const active = subscriberOf().subscribe(records.changes(id)).then(() => true, () => false);
        subscriptions.set(id, (entry = { listeners: new Set(), active }));
      }
      const own = entry;
      own.listeners.add(listener);
      // Never called when subscribing failed: the caller's own periodic re-reads stand in.
      void own.active.then((ok) => (ok && own.listeners.has(listener) ? onActive?.() : undefined));
      return () => {
        if (!own.listeners.delete(listener) || own.listeners.size > 0 || subscriptions.get(id) !== own) return;
        subscriptions.delete(id);
        void subscriber?.unsubscribe(records.changes(id)).catch(() => undefined);
      };
    },
    async work(executor, { concurrency }) {
      // Told to stop taking jobs (the app is stopping): it does not start taking them now.
      if (worker !== undefined || stopping) return;
      workerClient = quiet(new Redis(options.url, { maxRetriesPerRequest: null }));
      void subscriberOf().subscribe(records.cancels).catch(() => undefined);
      worker = new Worker(name, async (bull: Job, token?: string) => {
        // Handed over after this process began to stop: back to the queue as it came (its record
        // still queued, no attempt counted, nothing emitted as failed) for a worker that stays.
        if (stopping && token !== undefined) {
          await bull.moveToWait(token);
          throw new WaitingError();
        }
        return process(executor, bull.id!);
      }, {
        connection: { ...parseUrl(options.url), maxRetriesPerRequest: null },
        prefix,
        concurrency,
        maxStalledCount: 1,
        ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
        ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
      });
      worker.on('error', () => {});
      // Past BullMQ's stall limit the job is failed there; the record must say so too.
      worker.on('failed', (bull) => {
        if (bull?.id === undefined) return;
        void records.load(workerClient!, bull.id).then((job) => job && !isTerminal(job.record.status)
          ? records.write(workerClient!, { ...job.record, status: 'failed', error: unavailable().toProblem(job.caller.requestId), finishedAt: new Date().toISOString() })
          : undefined).catch(() => undefined);
      });
      // Not awaited: a worker whose Redis is down starts anyway and connects when Redis returns.
      void worker.waitUntilReady().catch(() => undefined);
    },
    stopTaking() {
      beginClose();
    },
    async stopWorking(graceMs) {
      const closed = beginClose();
      if (worker === undefined || closed === undefined) return;
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([closed.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)))]);
      clearTimeout(timer);
      // Jobs still running past the grace period stay locked until another worker recovers them.
      if (late) {
        // Past the grace period their handlers are told to stop; BullMQ hands the jobs to another worker.
        abandon();
        await within(worker.close(true), SUBMIT_TIMEOUT_MS).catch(() => undefined);
      }
      worker = undefined;
      closing = undefined;
      stopping = false;
    },
    async counts() {
      const bull = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
      const done = await records.finishedCounts(client);
      const queued = (bull.waiting ?? 0) + (bull.delayed ?? 0) + (bull.prioritized ?? 0);
      return { queued, running: bull.active ?? 0, ...done } satisfies Record<JobStatus, number>;
    },
    async health(): Promise<HealthCheckResult> {
      try {
        await client.ping();
        return { status: 'healthy' };
      } catch {
        return { status: 'unhealthy', detail: 'the job store (Redis) is unreachable' };
      }
    },
    async close() {
      abandon();
      // Closing waits on Redis; an unreachable one must not hold the process.
      await within(Promise.all([worker?.close(true), queue.close()]), SUBMIT_TIMEOUT_MS).catch(() => undefined);
      // A queue that never reached Redis would keep reconnecting: stop it for good.
      await within(Promise.all([worker?.disconnect(), queue.disconnect()]), SUBMIT_TIMEOUT_MS).catch(() => undefined);
      worker = undefined;
      for (const connection of [client, workerClient, subscriber]) connection?.disconnect();
      subscriptions.clear();
    },
  };
}

/** BullMQ takes connection options, not a URL: these are the URL's. */
function parseUrl(url: string): { host: string; port: number; username?: string; password?: string; db?: number; tls?: object } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
