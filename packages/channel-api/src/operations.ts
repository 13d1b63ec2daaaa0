import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Express, Request, Response } from 'express';
import { MAX_JOB_WAIT_MS, acceptRequestId } from '@nexus/core';
import type { InvocationInit, InvocationResult, JobListAnswer } from '@nexus/core';
import { annotationHeaders, sendJson, sendProblem } from './render.js';
import type { RouteContext } from './routes.js';
import { initOf, nativeCall } from './routes.js';
import { nativeAdmission } from './native.js';
import { pathOf } from './request.js';

/** Where a job's status is read; `Location` of every 202. */
export const OPERATIONS_PATH = '/operations';

/** RFC 7240: the caller prefers an answer now and the result later. */
export function prefersAsync(req: IncomingMessage): boolean {
  const prefer = req.headers.prefer;
  if (prefer === undefined) return false;
  const values = Array.isArray(prefer) ? prefer : [prefer];
  return values.some((value) => value.split(',').some((token) => token.split(';')[0]!.trim().toLowerCase() === 'respond-async'));
}

/** RFC 7240 `wait=N`: how long, in ms, the caller is willing to wait for an answer (0 when it did not say). */
export function preferredWaitMs(req: IncomingMessage): number {
  const prefer = req.headers.prefer;
  if (prefer === undefined) return 0;
  for (const value of Array.isArray(prefer) ? prefer : [prefer]) {
    for (const token of value.split(',')) {
      const match = /^\s*wait\s*=\s*"?(\d{1,6})"?\s*$/i.exec(token.split(';')[0]!);
      if (match) return Number(match[1]) * 1000;
    }
  }
  return 0;
}

/** Whether an execute request becomes a job: always for long-running operations, else when asked. */
export function runsAsync(rc: RouteContext, req: IncomingMessage, operation: string): boolean {
  return rc.app.operation(operation)?.longRunning === true || prefersAsync(req);
}

function headersOf(rc: RouteContext, result: InvocationResult): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = rc.draining ? { 'x-request-id': result.requestId, connection: 'close' } : { 'x-request-id': result.requestId };
  annotationHeaders(headers, result.annotations, rc.render);
  return headers;
}

/** Submits the call as a job: 202, `Location: /operations/{id}`, `{operationId, status, requestId}`. */
export async function submit(rc: RouteContext, res: ServerResponse, init: InvocationInit): Promise<void> {
  // The job outlives this request: the caller leaving must not cancel it (DELETE does).
  const { signal: _ignored, ...rest } = init;
  const result = await rc.app.dispatch({ ...rest, purpose: 'submit' });
  if (res.headersSent) return;
  if (!result.ok) return sendProblem(res, result.error, result.requestId, rc.render, result.annotations);
  const ack = result.value as { operationId: string };
  const headers = headersOf(rc, result);
  headers.location = `${OPERATIONS_PATH}/${encodeURIComponent(ack.operationId)}`;
  headers['preference-applied'] = 'respond-async';
  sendJson(res, 202, JSON.stringify(ack), headers);
}

type Lookup = (init: InvocationInit) => Promise<InvocationResult>;

async function answer(rc: RouteContext, req: Request, res: Response, lookup: Lookup, extra: OutgoingHttpHeaders = {}): Promise<void> {
  const requestId = req.nexus?.requestId ?? acceptRequestId(req.headers['x-request-id']);
  const init = initOf(rc, req, requestId, pathOf(req.originalUrl));
  const native = nativeCall(rc, req, res);
  if (native !== undefined) init.admission = nativeAdmission(native);
  // A waiting read ends when the caller leaves.
  const controller = new AbortController();
  const leave = () => controller.abort();
  res.once('close', leave);
  init.signal = controller.signal;
  const result = await lookup(init);
  res.off('close', leave);
  if (res.headersSent) return;
  if (!result.ok) return sendProblem(res, result.error, result.requestId, rc.render, result.annotations);
  sendJson(res, 200, JSON.stringify(result.value), { ...headersOf(rc, result), ...extra });
}

/** `GET /operations/{id}`; with `Prefer: wait=N`, answered when the job ends or after N s (at most 30). */
function status(rc: RouteContext, req: Request, res: Response): Promise<void> {
  const waitMs = Math.min(preferredWaitMs(req), MAX_JOB_WAIT_MS);
  const applied: OutgoingHttpHeaders = waitMs > 0 ? { 'preference-applied': `wait=${waitMs / 1000}` } : {};
  return answer(rc, req, res, (init) => rc.app.jobs.get(init, req.params.id as string, { waitMs }), applied);
}

/** A query parameter given once; a repeated one reads as '' (refused as invalid), an absent one as undefined. */
function single(value: unknown): string | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? value : '';
}

/**
 * `GET /operations?limit=&cursor=`: a page of the caller's jobs; `nextCursor` in the body and a
 * `Link: rel="next"` header name the next page, with the same limit.
 */
async function list(rc: RouteContext, req: Request, res: Response): Promise<void> {
  const limit = single(req.query.limit);
  const cursor = single(req.query.cursor);
  const page = {
    ...(limit === undefined ? {} : { limit: /^\d{1,4}$/.test(limit) ? Number(limit) : Number.NaN }),
    ...(cursor === undefined ? {} : { cursor }),
  };
  const next: OutgoingHttpHeaders = {};
  await answer(rc, req, res, async (init) => {
    const result = await rc.app.jobs.list(init, page);
    const nextCursor = result.ok ? (result.value as JobListAnswer).nextCursor : undefined;
    if (nextCursor !== undefined) {
      const query = new URLSearchParams({ ...(limit === undefined ? {} : { limit }), cursor: nextCursor });
      next.link = `<${OPERATIONS_PATH}?${query.toString()}>; rel="next"`;
    }
    return result;
  }, next);
}

/** `GET /operations`, `GET /operations/{id}`, `DELETE /operations/{id}`: the caller's own jobs only. */
export function mountOperations(server: Express, rc: RouteContext): void {
  server.get(OPERATIONS_PATH, (req, res) => list(rc, req, res));
  server.get(`${OPERATIONS_PATH}/:id`, (req, res) => status(rc, req, res));
  server.delete(`${OPERATIONS_PATH}/:id`, (req, res) => answer(rc, req, res, (init) => rc.app.jobs.cancel(init, req.params.id as string)));
}
