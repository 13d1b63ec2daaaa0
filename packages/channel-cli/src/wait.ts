import { problem } from '@nexus/core/protocol';
import type { Backend, JobAck, Outcome } from './backend.js';
import { createProgressBar } from './progress-bar.js';
import type { Output } from './render.js';

/**
 * Waits for a submitted job and turns its end into a call's outcome: the result, or the job's
 * problem. A progress bar runs on stderr when it is a terminal and is erased before anything
 * else is written. Ctrl-C while the job goes on elsewhere says so, and how to cancel it.
 */
export async function waitForJob(backend: Backend, ack: JobAck, stderr: Output, signal: AbortSignal, scriptName: string, requestId?: string): Promise<Outcome<unknown>> {
  const bar = createProgressBar(stderr);
  let watched: Awaited<ReturnType<Backend['watch']>>;
  try {
    watched = await backend.watch(ack.operationId, (record) => bar.update(record), { progress: bar.drawn });
  } finally {
    bar.clear();
  }
  const id = ack.operationId;
  if (!watched.ok) {
    if (!(signal.aborted && watched.problem.code === 'CANCELLED')) return watched;
    const detail = `Stopped waiting: operation ${id} keeps running. "${scriptName} operations get ${id}" shows it; "${scriptName} operations cancel ${id}" cancels it.`;
    return { ok: false, problem: problem({ code: 'CANCELLED', detail, ...(requestId === undefined ? {} : { requestId }) }) };
  }
  const record = watched.value;
  const ids = requestId === undefined ? {} : { requestId };
  if (record.status === 'succeeded') return { ok: true, value: record.result ?? null, ...ids };
  return { ok: false, problem: record.error ?? problem({ code: 'CANCELLED', detail: `Operation ${id} was cancelled.`, ...ids }) };
}
