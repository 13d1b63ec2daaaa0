import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import { InvalidInputError, NotFoundError, catalogueEntry, resolvePolicy } from '@nexus/core';
import type { InvocationInit, Nexus, NexusContext, NexusResult, Policy, PolicyOptions } from '@nexus/core';
import { firstHeader, requestIdFrom } from '@nexus/core/protocol';
import { BodyError, readJsonBody } from './body.js';
import { annotationHeaders, fromNativeError, sendJson, sendProblem } from './render.js';
import type { RenderOptions } from './render.js';
import { credentialOf, pathOf, transportOf } from './request.js';
import type { TokenSources } from './request.js';
import { runsAsync, submit } from './operations.js';
import { nativeAdmission } from './native.js';
import type { NativeCall } from './native.js';

/** What route handlers need from the channel; fixed at start. */
export interface RouteContext {
  readonly app: Nexus;
  readonly channel: string;
  readonly bodyLimit: number;
  readonly tokens: TokenSources;
  readonly render: RenderOptions;
  readonly clientAddress: (req: IncomingMessage) => string | undefined;
  /** True once stop() began: responses ask clients to close their connection. */
  readonly draining: boolean;
  /** Native middleware (`addMiddleware`), run by the channel on each admitted request. */
  readonly middlewares: readonly RequestHandler[];
  /** What the built-in native routes declare (resolved once, from `routePolicy`). */
  readonly policies: BuiltinPolicies;
}

/** The policy of each built-in native route the pipeline admits. */
export interface BuiltinPolicies {
  readonly metrics: Policy;
  readonly openapi: Policy;
  readonly docs: Policy;
}

/** What `routePolicy` may declare for the built-in routes (`/metrics`, `/openapi.json`, `/docs` and its assets). */
export type BuiltinRoutePolicy = { readonly [K in keyof BuiltinPolicies]?: PolicyOptions };

/** Built-in routes are open by what they declare (`public: true` unless told otherwise), not by a path list elsewhere. */
export function builtinPolicies(declared: BuiltinRoutePolicy = {}): BuiltinPolicies {
  return {
    metrics: resolvePolicy('route /metrics', { public: true, ...declared.metrics }),
    openapi: resolvePolicy('route /openapi.json', { public: true, ...declared.openapi }),
    docs: resolvePolicy('route /docs', { public: true, ...declared.docs }),
  };
}

/** The native side of a request when native middleware must see it; undefined keeps the call on the plain path. */
export function nativeCall(rc: RouteContext, req: Request, res: Response): NativeCall | undefined {
  return rc.middlewares.length === 0 ? undefined : { app: rc.app, req, res, middlewares: rc.middlewares, render: rc.render };
}

const CONTROLLER = Symbol('nexus.api.abort');
type Watched = Socket & { [CONTROLLER]?: AbortController };

function abortConnection(this: Watched): void {
  this[CONTROLLER]?.abort();
}

/**
 * The caller leaving cancels its call: one signal per connection, aborted when it closes. Calls
 * on a connection come one after another, and one that already answered no longer listens, so
 * this is the per-request signal without an AbortController per request (a measurable share
 * of a fast call's cost).
 */
function connectionSignal(socket: Socket): AbortSignal {
  const watched = socket as Watched;
  let controller = watched[CONTROLLER];
  if (controller === undefined) {
    controller = new AbortController();
    watched[CONTROLLER] = controller;
    socket.once('close', abortConnection);
  }
  return controller.signal;
}

type MutableInit = { -readonly [K in keyof InvocationInit]: InvocationInit[K] };

/** The pipeline init every route shares: who is calling, from where, with which request. */
export function initOf(rc: RouteContext, req: IncomingMessage, requestId: string, path: string, operation = ''): MutableInit {
  const init: MutableInit = {
    channel: rc.channel,
    operation,
    credential: credentialOf(req, rc.tokens),
    requestId,
    transport: transportOf(req, path, rc.render.tenantHeader),
    native: req,
  };
  const address = rc.clientAddress(req);
  if (address !== undefined) init.clientAddress = address;
  const traceparent = firstHeader(req.headers.traceparent);
  if (traceparent !== undefined) init.traceparent = traceparent;
  return init;
}

function baseHeaders(rc: RouteContext, requestId: string): OutgoingHttpHeaders {
  return rc.draining ? { 'x-request-id': requestId, connection: 'close' } : { 'x-request-id': requestId };
}

/** Renders an invocation result (or nothing, when native middleware already answered). */
function renderResult(rc: RouteContext, res: ServerResponse, result: NexusResult): void {
  if (res.headersSent) return;
  if (!result.ok) return sendProblem(res, result.error, result.requestId, rc.render, result.annotations);
  const headers = baseHeaders(rc, result.requestId);
  annotationHeaders(headers, result.annotations, rc.render);
  let body: string;
  try {
    body = JSON.stringify({
      result: result.value === undefined ? null : result.value,
      requestId: result.requestId,
      executionTimeMs: Math.round(result.durationMs * 1000) / 1000,
    });
  } catch (cause) {
    rc.app.logger.error('result is not JSON-serialisable', { requestId: result.requestId, error: cause });
    return sendProblem(res, fromNativeError(cause), result.requestId, rc.render, result.annotations);
  }
  sendJson(res, 200, body, headers);
}

function inputsOf(body: unknown): unknown {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BodyError(new InvalidInputError('The request body must be a JSON object such as {"inputs": {...}}.'), 400);
  }
  const { inputs, parameters } = body as { inputs?: unknown; parameters?: unknown };
  // Looked for key by key: no rest copy of the body and no key array on every call.
  let stray: string[] | undefined;
  for (const key in body) if (key !== 'inputs' && key !== 'parameters' && Object.hasOwn(body, key)) (stray ??= []).push(key);
  if (stray !== undefined) {
    // Bare fields would otherwise validate as empty inputs and blame the wrong thing ("message: expected string").
    throw new BodyError(
      new InvalidInputError('The request body must be {"inputs": {...}}: put the operation\'s fields inside "inputs".', {
        errors: stray.map((path) => ({ path, message: 'Unexpected top-level field: operation fields go inside "inputs".' })),
      }),
      400,
    );
  }
  return inputs ?? parameters ?? {};
}

/**
 * `POST /workflows/:name/execute`: the hot path, kept free of per-request closures it can avoid.
 * It needs only Node's request and response, so the channel can serve it before Express routing.
 */
export async function execute(rc: RouteContext, req: IncomingMessage, res: ServerResponse, operation: string, path: string, native?: NativeCall): Promise<void> {
  const requestId = requestIdFrom(req.headers);
  let input: unknown;
  try {
    input = inputsOf(await readJsonBody(req, rc.bodyLimit));
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    if (error.status === 413) res.setHeader('connection', 'close');
    return sendProblem(res, error.error, requestId, rc.render, undefined, error.status);
  }
  const init = initOf(rc, req, requestId, path, operation);
  init.input = input;
  if (native !== undefined) init.admission = nativeAdmission(native);
  if (runsAsync(rc, req, operation)) return submit(rc, res, init);
  init.signal = connectionSignal(req.socket);
  // The init becomes the request itself: it is this call's own object, so no copy is needed.
  const request = init as MutableInit & { purpose: 'invoke' };
  request.purpose = 'invoke';
  renderResult(rc, res, await rc.app.dispatch(request));
}

const EXECUTE_PREFIX = '/workflows/';
const EXECUTE_SUFFIX = '/execute';

/**
 * The operation name of a canonical execute URL (`/workflows/<name>/execute[?query]`), or
 * undefined for anything else, which Express routes (with the same outcome, just slower).
 */
export function executeTarget(url: string | undefined): { operation: string; path: string } | undefined {
  if (url === undefined || !url.startsWith(EXECUTE_PREFIX)) return undefined;
  const path = pathOf(url);
  if (!path.endsWith(EXECUTE_SUFFIX) || path.length <= EXECUTE_PREFIX.length + EXECUTE_SUFFIX.length) return undefined;
  const segment = path.slice(EXECUTE_PREFIX.length, path.length - EXECUTE_SUFFIX.length);
  if (segment.includes('/') || segment.includes('%')) return undefined;
  return { operation: segment, path };
}

/** `GET /workflows` and `GET /workflows/:name`: only what the caller may execute. */
export async function catalogue(rc: RouteContext, req: Request, res: Response, name?: string): Promise<void> {
  const requestId = req.nexus?.requestId ?? requestIdFrom(req.headers);
  const init = initOf(rc, req, requestId, pathOf(req.originalUrl));
  const native = nativeCall(rc, req, res);
  if (native !== undefined) init.admission = nativeAdmission(native);
  const listed = await rc.app.dispatch({ ...init, purpose: 'list' });
  if (res.headersSent) return;
  if (!listed.ok) return sendProblem(res, listed.error, listed.requestId, rc.render, listed.annotations);
  const headers = baseHeaders(rc, listed.requestId);
  annotationHeaders(headers, listed.annotations, rc.render);
  if (name === undefined) return sendJson(res, 200, JSON.stringify({ workflows: listed.value.map((operation) => catalogueEntry(operation)) }), headers);
  const found = listed.value.find((operation) => operation.name === name);
  if (found === undefined) {
    return sendProblem(res, new NotFoundError(`Unknown operation "${name}".`), listed.requestId, rc.render, listed.annotations);
  }
  sendJson(res, 200, JSON.stringify(catalogueEntry(found, { withGraph: true })), headers);
}

/**
 * Answers a native route (metrics, OpenAPI, custom routers): the pipeline admits it under the
 * policy the route declared, then the channel runs native middleware and `serve` with the
 * admitted context.
 */
export async function admitted(rc: RouteContext, req: Request, res: Response, serve: (ctx: NexusContext) => unknown, policy?: Policy): Promise<void> {
  const requestId = req.nexus?.requestId ?? requestIdFrom(req.headers);
  const init = initOf(rc, req, requestId, pathOf(req.originalUrl));
  init.admission = nativeAdmission({ app: rc.app, req, res, middlewares: rc.middlewares, render: rc.render }, serve);
  const result = await rc.app.dispatch(policy === undefined ? { ...init, purpose: 'route' } : { ...init, purpose: 'route', policy });
  if (!result.ok && !res.headersSent) sendProblem(res, result.error, result.requestId, rc.render, result.annotations);
}
