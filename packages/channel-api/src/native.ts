import type { Request, RequestHandler, Response } from 'express';
import { Admission, ForbiddenError, InternalError, NexusSetupError, UnauthenticatedError } from '@nexus/core';
import type { Guard, Nexus, NexusContext, Principal, TenantInfo } from '@nexus/core';
import { errorForStatus, fromNativeError, setAnnotationHeaders } from './render.js';
import type { RenderOptions } from './render.js';

/** What native middleware and custom routes read from `req.nexus`. */
export interface NexusRequestInfo {
  readonly requestId: string;
  readonly principal?: Principal;
  readonly tenant?: TenantInfo;
}

declare global {
  // Express's own augmentation point; `req.nexus` is typed for every handler once this package is imported.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      nexus?: NexusRequestInfo;
    }
  }
}

interface Admitted {
  readonly app: Nexus;
  readonly ctx: NexusContext;
}

// Guards need the pipeline's context of the request. A symbol keeps it off the public request
// type; a WeakMap would too, but its ephemeron entries cost the garbage collector per request.
const ADMITTED = Symbol('nexus.api.admitted');
type Carrier = { [ADMITTED]?: Admitted };

/** Publishes the pipeline's view of the caller on `req.nexus` for native code. */
export function admit(app: Nexus, req: Request, ctx: NexusContext): void {
  const info: { requestId: string; principal?: Principal; tenant?: TenantInfo } = { requestId: ctx.requestId };
  if (ctx.principal !== undefined) info.principal = ctx.principal;
  if (ctx.tenant !== undefined) info.tenant = ctx.tenant;
  req.nexus = info;
  (req as Carrier)[ADMITTED] = { app, ctx };
}

/** The value of a call whose response native code wrote itself (2xx/3xx): the channel renders nothing more. */
export const ANSWERED_NATIVELY = Symbol('nexus.api.answered-natively');

const PASS = 'pass';
const ENDED = 'ended';

/** Runs one Express middleware; settles when it calls next() or when it ends the response itself. */
function runMiddleware(middleware: RequestHandler, req: Request, res: Response): Promise<typeof PASS | typeof ENDED> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      res.off('finish', ended);
      res.off('close', ended);
      if (error === undefined || error === 'route' || error === 'router') resolve(PASS);
      else reject(fromNativeError(error));
    };
    const ended = () => {
      if (settled) return;
      settled = true;
      res.off('finish', ended);
      res.off('close', ended);
      resolve(ENDED);
    };
    res.once('finish', ended);
    res.once('close', ended);
    try {
      const returned: unknown = middleware(req, res, settle);
      if (returned instanceof Promise) returned.then(undefined, settle);
    } catch (error) {
      settle(error);
    }
  });
}

/** Waits until a response that native code started has been written completely. */
function finished(res: Response): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    res.once('finish', () => resolve());
    res.once('close', () => resolve());
  });
}

/** The outcome of a response native code wrote, so audit and metrics label it like any other. */
async function nativeOutcome(res: Response): Promise<typeof ANSWERED_NATIVELY> {
  await finished(res);
  if (res.statusCode >= 400) throw errorForStatus(res.statusCode, 'The request was answered by native code.');
  return ANSWERED_NATIVELY;
}

/** One request's native side: Express's request and response, and the middleware to run on it. */
export interface NativeCall {
  readonly app: Nexus;
  readonly req: Request;
  readonly res: Response;
  readonly middlewares: readonly RequestHandler[];
  readonly render: RenderOptions;
}

/**
 * The channel's turn once the pipeline admitted the request (after the limit phase): it
 * publishes `req.nexus`, runs native middleware, then `serve` (a native route) or lets the call
 * proceed. What native code answered or threw becomes the call's outcome, so audit and metrics
 * record it; core itself never runs any of this.
 */
async function serveAdmitted(call: NativeCall, admission: Admission, ctx: NexusContext, serve?: (ctx: NexusContext) => unknown): Promise<void> {
  const { req, res } = call;
  try {
    admit(call.app, req, ctx);
    if (call.middlewares.length > 0) {
      res.setHeader('x-request-id', ctx.requestId);
      setAnnotationHeaders(res, ctx.annotations, call.render);
      for (const middleware of call.middlewares) {
        if ((await runMiddleware(middleware, req, res)) === ENDED) return admission.answer(await nativeOutcome(res));
      }
    }
    if (serve === undefined) return admission.proceed();
    admission.answer(await serve(ctx));
  } catch (error) {
    admission.refuse(fromNativeError(error));
  }
}

/**
 * An admission for a request native code must see: the dispatch carrying it pauses after the
 * limit phase, and the channel serves it as `serveAdmitted` says.
 */
export function nativeAdmission(call: NativeCall, serve?: (ctx: NexusContext) => unknown): Admission {
  const admission = new Admission();
  void admission.admitted.then((ctx) => (ctx === undefined ? undefined : serveAdmitted(call, admission, ctx, serve)));
  return admission;
}

/**
 * Serves a custom route once admitted: hands the request on to the native router and settles
 * when the response is written, so the pipeline's observe phase times and audits it.
 */
export function passToRouter(res: Response, next: (error?: unknown) => void): Promise<typeof ANSWERED_NATIVELY> {
  next();
  return nativeOutcome(res);
}

function names(guard: string, values: readonly string[]): readonly string[] {
  if (values.length === 0 || values.some((value) => typeof value !== 'string' || value === '')) {
    throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `${guard}() needs at least one non-empty name`);
  }
  return Object.freeze([...values]);
}

function admittedOf(req: Request): Admitted {
  const entry = (req as Carrier)[ADMITTED];
  if (entry === undefined) throw new InternalError(undefined, { cause: new Error('a Nexus guard guards a route that was not mounted with addRouter()') });
  return entry;
}

/** Express middleware running `check` against the context (and app) the pipeline admitted a custom route with. */
function admittedCheck(check: (ctx: NexusContext, app: Nexus) => void | Promise<void>): RequestHandler {
  return (req, _res, next) => {
    let checked: Promise<void>;
    try {
      const { ctx, app } = admittedOf(req);
      checked = Promise.resolve(check(ctx, app));
    } catch (error) {
      return next(error);
    }
    checked.then(() => next(), next);
  };
}

/**
 * Express middleware running core guards (the `Guard`s operations take in `guards`, such as
 * `@nexus/auth`'s `requireRole`/`requirePermission`) on a custom route, against the context the
 * pipeline admitted it with: one guard vocabulary for operations and native routes.
 * @example api.addRouter('/admin', express.Router().get('/stats', guard(requireRole('admin')), handler));
 */
export function guard(...guards: Guard[]): RequestHandler {
  if (guards.length === 0 || guards.some((entry) => typeof entry !== 'function')) {
    throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', 'guard() needs at least one guard function');
  }
  return admittedCheck(async (ctx) => {
    for (const entry of guards) await entry(ctx);
  });
}

/**
 * @deprecated Write `guard(requireRole(...roles))` with `@nexus/auth`'s `requireRole`, the role
 * check operations use. This shorthand decides the same: the caller holds any of `roles` as
 * authentication resolved them (with RBAC, inherited and default roles included); 401 without a
 * caller, 403 otherwise.
 */
export function requireRole(...roles: string[]): RequestHandler {
  const wanted = names('requireRole', roles);
  return admittedCheck((ctx) => {
    if (ctx.principal === undefined) throw new UnauthenticatedError();
    const held = ctx.principal.roles;
    if (!wanted.some((role) => held.includes(role))) throw new ForbiddenError();
  });
}

/**
 * @deprecated Write `guard(requirePermission(...permissions))` with `@nexus/auth`'s
 * `requirePermission`. This shorthand asks the app's authorizers (`app.checkPermission`) about
 * each permission; with `@nexus/auth` that is the guard's decision, with or without RBAC.
 */
export function requirePermission(...permissions: string[]): RequestHandler {
  const wanted = names('requirePermission', permissions);
  return admittedCheck(async (ctx, app) => {
    if (ctx.principal === undefined) throw new UnauthenticatedError();
    for (const permission of wanted) await app.checkPermission(ctx, permission);
  });
}
