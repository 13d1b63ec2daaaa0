import { UnavailableError } from '@nexus/core';
import type { InvocationResult, JobListAnswer, JobRecord, ListInit, Nexus } from '@nexus/core';
import type { Backend, Outcome } from './backend.js';
import { finished, pause, stoppedWaiting } from './remote-jobs.js';

const FIRST_CHECK_MS = 500;
const MAX_CHECK_MS = 5_000;

type JobCommands = Pick<Backend, 'job' | 'cancelJob' | 'jobs' | 'watch'>;

/** Whether jobs outlive this process: not when the app keeps them in its own memory. */
export const jobsOutliveProcess = (app: Nexus): boolean => app.jobs.store.kind !== 'memory';

export const asyncNeedsStore = (): Outcome<never> => ({
  ok: false,
  local: true,
  problem: new UnavailableError('--async needs a job store other processes can reach; this app keeps jobs in its own memory, so the job would end with this command. Run without --async to wait for the result.').toProblem(),
});

/**
 * `operations get|cancel|list` and waiting, in-process: the app's job manager, with the same
 * visibility as on HTTP. `init` gives each call its pipeline settings and signal.
 */
export function localJobCommands(
  app: Nexus,
  init: (signal: AbortSignal) => ListInit,
  signal: AbortSignal,
  call: <T>(body: (init: ListInit) => Promise<InvocationResult>, pick: (value: unknown) => T) => Promise<Outcome<T>>,
): JobCommands {
  const job = (id: string) => call((base) => app.jobs.get(base, id), (value) => value as JobRecord);

  /** Ctrl-C: a job kept in this process's memory cannot go on without it, so it is cancelled. */
  const stop = async (id: string): Promise<Outcome<JobRecord>> => {
    if (jobsOutliveProcess(app)) return stoppedWaiting();
    const own = new AbortController().signal;
    await app.jobs.cancel(init(own), id);
    const after = await app.jobs.get(init(own), id);
    return after.ok ? { ok: true, value: after.value as JobRecord, requestId: after.requestId } : { ok: false, problem: after.error.toProblem(after.requestId) };
  };

  return {
    job,
    cancelJob: (id) => call((base) => app.jobs.cancel(base, id), (value) => value as JobRecord),
    jobs: (page) => call((base) => app.jobs.list(base, page), (value) => value as JobListAnswer),
    async watch(id, onRecord) {
      // The store's events draw progress as it happens; a read now and then covers an event
      // missed while a distributed store was still subscribing.
      let latest: JobRecord | undefined;
      let wake = () => {};
      // Set once the store hears this job's changes: a read before then may have missed one.
      let activated = false;
      const unsubscribe = app.jobs.subscribe(id, (record) => {
        if (latest === undefined) return;
        latest = record;
        onRecord(record);
        wake();
      }, () => {
        activated = true;
        wake();
      });
      try {
        let delay = FIRST_CHECK_MS;
        let due = true;
        for (;;) {
          if (signal.aborted) return await stop(id);
          if (due) {
            activated = false;
            const read = await job(id);
            if (!read.ok) return signal.aborted ? await stop(id) : read;
            latest = read.value;
            onRecord(latest);
          }
          if (finished(latest!)) return { ok: true, value: latest! };
          if (activated) {
            due = true;
            continue;
          }
          const changed = new Promise<'event'>((resolve) => (wake = () => resolve('event')));
          const timedOut = (await Promise.race([changed, pause(delay, signal).then(() => 'timer' as const)])) === 'timer';
          due = timedOut || activated;
          if (timedOut) delay = Math.min(MAX_CHECK_MS, delay * 2);
        }
      } finally {
        unsubscribe();
      }
    },
  };
}
