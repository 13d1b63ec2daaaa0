import { problem } from '@nexus/core/protocol';
import type { JobRecord } from '@nexus/core';
import type { Outcome } from './backend.js';

const POLL_MS = 250;

/**
 * Waits for a job the server accepted (202) by reading `/operations/{id}` until it ends: the
 * CLI's `run` of a long-running operation prints its result like any other call's.
 */
export async function awaitJob(read: (path: string) => Promise<Outcome<Record<string, unknown>>>, operationId: string, signal: AbortSignal): Promise<Outcome<unknown>> {
  for (;;) {
    const polled = await read(`operations/${encodeURIComponent(operationId)}`);
    if (!polled.ok) return polled;
    const record = polled.value as unknown as JobRecord;
    const requestId = polled.requestId === undefined ? {} : { requestId: polled.requestId };
    if (record.status === 'succeeded') return { ok: true, value: record.result ?? null, ...requestId };
    if (record.status === 'failed' || record.status === 'cancelled') {
      return { ok: false, problem: record.error ?? problem({ code: 'CANCELLED', detail: `Operation ${operationId} was cancelled.`, requestId: polled.requestId }) };
    }
    if (signal.aborted) return { ok: false, problem: problem({ code: 'CANCELLED', detail: `Stopped waiting; operation ${operationId} goes on.`, requestId: polled.requestId }) };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
