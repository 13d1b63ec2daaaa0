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

/** One status read: the record (or problem), and whether the server held it as asked (`Preference-Applied: wait`). */
export interface StatusRead {
  readonly outcome: Outcome<JobRecord>;
  readonly held: boolean;
}

/** The server's longest `Prefer: wait` (it answers at most this late). */
const MAX_WAIT_S = 30;

/**
 * How long each status read asks the server to hold it, in seconds. The server answers a held
 * read early only when the job ends, so a progress bar needs a read each second to move; without
 * one only the end matters. Half the per-call timeout at most, so a held read never looks like
 * a server that stopped answering; 0 (plain reads) under a 2 s timeout.
 */
export function waitSeconds(progress: boolean, timeoutMs: number | undefined): number {
  const longest = progress ? 1 : MAX_WAIT_S;
  return timeoutMs === undefined ? longest : Math.min(longest, Math.floor(timeoutMs / 2000));
}

/**
 * Follows a job the server accepted by reading `/operations/{id}` until it ends. Each read asks
 * the server to hold it until the job ends (`Prefer: wait`, see `waitSeconds`) and is repeated
 * at once when it came back unfinished; a server that did not hold it is read quickly at first,
 * then once a second. A rate-limited read waits as the server says; Ctrl-C stops waiting (the
 * job goes on on the server).
 */
export async function watchRemoteJob(read: () => Promise<StatusRead>, signal: AbortSignal, onRecord: (record: JobRecord) => void): Promise<Outcome<JobRecord>> {
  let delay = FIRST_POLL_MS;
  for (;;) {
    if (signal.aborted) return stoppedWaiting();
    const { outcome: polled, held } = await read();
    if (!polled.ok) {
      if (signal.aborted) return stoppedWaiting();
      if (polled.problem.code !== 'RATE_LIMITED') return polled;
      await pause(Math.max(1, polled.problem.retryAfter ?? 1) * 1000, signal);
      continue;
    }
    onRecord(polled.value);
    if (finished(polled.value)) return polled;
    if (held) continue;
    await pause(delay, signal);
    delay = Math.min(MAX_POLL_MS, Math.round(delay * 1.5));
  }
}
