import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors.js';
import type { JobFilter, JobPort, JobPosition, JobRecord } from './types.js';

/** The most jobs one list page holds (and the size of a page that names none). */
export const JOBS_PAGE_LIMIT = 100;

/** Which page of a job list to read: how many jobs, and after which one (a `nextCursor` handed out before). */
export interface JobListPage {
  readonly limit?: number;
  readonly cursor?: string;
}

/** A page of jobs, newest first; `nextCursor` reads the next one, and is absent on the last. */
export interface JobListAnswer {
  readonly operations: JobRecord[];
  readonly nextCursor?: string;
}

const VERSION = 1;

/** The position of a job in every list: its creation time, then its id (as Redis orders equal scores). */
export function positionOf(record: JobRecord): JobPosition {
  return { createdAtMs: Date.parse(record.createdAt), operationId: record.operationId };
}

/**
 * Names the listing a cursor was made for, so a cursor handed to another principal or tenant (or
 * an admin's to a plain caller) is refused rather than read against their jobs.
 */
function scopeOf(filter: JobFilter): string {
  return createHash('sha256').update(JSON.stringify([filter.tenantId ?? null, filter.principalId ?? null])).digest('base64url').slice(0, 16);
}

export function encodeCursor(filter: JobFilter, record: JobRecord): string {
  const { createdAtMs, operationId } = positionOf(record);
  return Buffer.from(JSON.stringify([VERSION, scopeOf(filter), createdAtMs, operationId])).toString('base64url');
}

function malformed(): InvalidInputError {
  return new InvalidInputError('Invalid cursor: pass back a nextCursor from an earlier page of this list.');
}

/** The position a cursor names; INVALID_INPUT when it is not one this listing handed out. */
export function decodeCursor(filter: JobFilter, cursor: unknown): JobPosition {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 512 || !/^[\w-]+$/.test(cursor)) throw malformed();
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (!Array.isArray(parts) || parts.length !== 4) throw malformed();
  const [version, scope, createdAtMs, operationId] = parts as unknown[];
  if (version !== VERSION || typeof createdAtMs !== 'number' || !Number.isSafeInteger(createdAtMs) || typeof operationId !== 'string' || operationId.length > 128) throw malformed();
  if (scope !== scopeOf(filter)) throw new InvalidInputError('Invalid cursor: it belongs to another listing.');
  return { createdAtMs, operationId };
}

/** The page size asked for: a whole number from 1 to JOBS_PAGE_LIMIT, that limit when absent. */
export function pageLimit(limit: unknown): number {
  if (limit === undefined) return JOBS_PAGE_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > JOBS_PAGE_LIMIT) {
    throw new InvalidInputError(`Invalid limit: a whole number from 1 to ${JOBS_PAGE_LIMIT}.`);
  }
  return limit;
}

/** The list of a caller no jobs are listed for (anonymous): no page follows, so no cursor names one. */
export function emptyPage(page: JobListPage): JobListAnswer {
  if (page.cursor !== undefined) throw malformed();
  return { operations: [] };
}

/** Reads one page from the port; one job more than the page says whether another page follows. */
export async function readPage(port: JobPort, filter: JobFilter, limit: number, after: JobPosition | undefined): Promise<JobListAnswer> {
  const jobs = await port.list(filter, limit + 1, after);
  const operations = jobs.slice(0, limit).map((job) => job.record);
  if (jobs.length <= limit) return { operations };
  return { operations, nextCursor: encodeCursor(filter, operations[operations.length - 1]!) };
}
