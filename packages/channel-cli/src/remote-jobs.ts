import { problem } from '@nexus/core/protocol';
import type { JobRecord } from '@nexus/core';
import type { Outcome } from './backend.js';

const FIRST_POLL_MS = 200;
const MAX_POLL_MS = 1_000;
const FINISHED: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

/** Whether a job has ended (its record no longer changes). */
export const finished = (record: JobRecord): boolean => FINISHED.has(record.status);

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export const stoppedWaiting = (): Outcome<never> => ({ ok: false, problem: problem({ code: 'CANCELLED', detail: 'Stopped waiting.' }) });

/**
 * Follows a job the server accepted by reading `/operations/{id}` until it ends: quickly at
 * first, then once a second. A rate-limited read waits as the server says; Ctrl-C stops
 * waiting (the job goes on on the server).
 */
export async function watchRemoteJob(read: () => Promise<Outcome<JobRecord>>, signal: AbortSignal, onRecord: (record: JobRecord) => void): Promise<Outcome<JobRecord>> {
  let delay = FIRST_POLL_MS;
  for (;;) {
    if (signal.aborted) return stoppedWaiting();
    const polled = await read();
    if (!polled.ok) {
      if (signal.aborted) return stoppedWaiting();
      if (polled.problem.code !== 'RATE_LIMITED') return polled;
      await pause(Math.max(1, polled.problem.retryAfter ?? 1) * 1000, signal);
      continue;
    }
    onRecord(polled.value);
    if (finished(polled.value)) return polled;
    await pause(delay, signal);
    delay = Math.min(MAX_POLL_MS, Math.round(delay * 1.5));
  }
}
