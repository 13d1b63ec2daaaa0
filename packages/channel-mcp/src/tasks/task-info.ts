import type { Task } from '@modelcontextprotocol/sdk/types.js';
import type { JobRecord, JobStatus } from '@nexus/core';

/** How often clients are asked to poll `tasks/get`, in milliseconds. */
export const POLL_INTERVAL_MS = 1_000;

const STATUS: Record<JobStatus, Task['status']> = {
  queued: 'working',
  running: 'working',
  succeeded: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

export const isTerminal = (status: JobStatus): boolean => status === 'succeeded' || status === 'failed' || status === 'cancelled';

function statusMessage(record: JobRecord): string | undefined {
  if (record.error !== undefined) return `${record.error.code}: ${record.error.detail}`;
  if (record.progress?.message !== undefined) return record.progress.message;
  return record.status === 'queued' ? 'queued' : undefined;
}

/**
 * A job as an MCP task. Queued and running are both `working` (the spec has no queued state);
 * `ttl` is how long the store keeps a finished job, a lower bound counted from creation.
 */
export function taskOf(record: JobRecord, ttlSeconds: number | undefined): Task {
  const message = statusMessage(record);
  return {
    taskId: record.operationId,
    status: STATUS[record.status],
    ttl: ttlSeconds === undefined ? null : ttlSeconds * 1000,
    createdAt: record.createdAt,
    lastUpdatedAt: record.finishedAt ?? record.startedAt ?? record.createdAt,
    ...(isTerminal(record.status) ? {} : { pollInterval: POLL_INTERVAL_MS }),
    ...(message === undefined ? {} : { statusMessage: message }),
  };
}
