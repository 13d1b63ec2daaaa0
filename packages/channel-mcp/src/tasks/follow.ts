import type { JobRecord, Nexus, StoredJob } from '@nexus/core';
import type { JsonRpcNotification, JsonRpcRequest } from '../jsonrpc.js';
import { isTerminal, taskOf } from './task-info.js';

/** How often a follower re-reads the job, in case a change event was lost (a cross-process store's pub/sub). */
const BACKSTOP_MS = 1_000;

export type ProgressToken = string | number;

/**
 * Follows one job until it ends: resolves with the stored job (its final record and the caller it
 * ran for), or undefined when the job is gone (expired) or `signal` aborted first. `onRecord` sees
 * the job's state when following starts and each change after.
 */
export function followJob(app: Nexus, operationId: string, options: { signal?: AbortSignal | undefined; onRecord?: ((record: JobRecord) => void) | undefined }): Promise<StoredJob | undefined> {
  const { signal, onRecord } = options;
  return new Promise((resolve) => {
    let done = false;
    const finish = (job: StoredJob | undefined) => {
      if (done) return;
      done = true;
      unsubscribe();
      clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(job);
    };
    const check = async () => {
      let job: StoredJob | undefined;
      try {
        job = await app.jobs.store.get(operationId);
      } catch {
        return; // the store is unreachable for now: the next check tries again
      }
      if (done) return;
      if (job === undefined) return finish(undefined);
      onRecord?.(job.record);
      if (isTerminal(job.record.status)) finish(job);
    };
    // Subscribed before the first read, and read again once the subscription took effect (a
    // cross-process store subscribes over the network), so no change between the two is missed.
    const unsubscribe = app.jobs.subscribe(operationId, (record) => {
      if (done) return;
      onRecord?.(record);
      if (isTerminal(record.status)) void check();
    }, () => void check());
    const onAbort = () => finish(undefined);
    const timer = setInterval(() => void check(), BACKSTOP_MS);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) return finish(undefined);
    void check();
  });
}

/** Turns a job's progress into `notifications/progress` for `token`, each value once and only increasing (as the spec asks). */
export function progressNotifier(token: ProgressToken, notify: (notification: JsonRpcNotification) => void): (record: JobRecord) => void {
  let last = -Infinity;
  return (record) => {
    const progress = record.progress;
    if (progress === undefined || !(progress.current > last)) return;
    last = progress.current;
    notify({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: token, progress: progress.current, ...(progress.total === undefined ? {} : { total: progress.total }), ...(progress.message === undefined ? {} : { message: progress.message }) },
    });
  };
}

/** The `_meta.progressToken` a request carries, if it is a usable one. */
export function progressTokenOf(request: JsonRpcRequest): ProgressToken | undefined {
  const token = (request.params?._meta as Record<string, unknown> | undefined)?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

/** Sends `notifications/tasks/status` (the whole task) each time the task's status changes from `initial`. */
export function statusNotifier(initial: JobRecord, ttlSeconds: number | undefined, notify: (notification: JsonRpcNotification) => void): (record: JobRecord) => void {
  let last = taskOf(initial, ttlSeconds).status;
  return (record) => {
    const task = taskOf(record, ttlSeconds);
    if (task.status === last) return;
    last = task.status;
    notify({ jsonrpc: '2.0', method: 'notifications/tasks/status', params: task });
  };
}
