import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express, NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { NexusSetupError, NotFoundError, resolveCorsPolicy, resolvePolicy, resolveServerLimits } from '@nexus/core';
import type { Channel, ChannelAddress, CorsOptions, Nexus, Policy, PolicyOptions, ServerLimitOptions, ServerLimits } from '@nexus/core';
import { requestIdFrom } from '@nexus/core/protocol';
import { withCors } from './cors.js';
import { mountDocs } from './docs.js';
import { DEFAULT_BODY_LIMIT } from './body.js';
import { passToRouter } from './native.js';
import { OpenApiRoute } from './openapi-route.js';
import type { OpenApiOptions } from './openapi-route.js';
import { knownRoutes, methodNotAllowed } from './methods.js';
import { fromNativeError, sendJson, sendProblem, setAnnotationHeaders } from './render.js';
import type { RateLimitHeaderStyle } from './render.js';
import { createAddressResolver, pathOf } from './request.js';
import type { TokenSources, TrustProxy } from './request.js';
import { admitted, catalogue, execute, executeTarget, nativeCall } from './routes.js';
import { mountOperations } from './operations.js';
import { builtinPolicies } from './routes.js';
import type { BuiltinPolicies, BuiltinRoutePolicy, RouteContext } from './routes.js';

/** `headersTimeout`, `requestTimeout`, `keepAliveTimeout` and `maxConnections` bound the listener (see the README). */
export interface ApiChannelOptions extends ServerLimitOptions {
  /** Defaults to `app.options.apiPort` (8000); 0 picks a free port (see `address()`). */
  readonly port?: number;
  /** Defaults to `app.options.host` (127.0.0.1). */
  readonly host?: string;
  /** Channel name in the context, metrics and audit (`api`). */
  readonly name?: string;
  /** Largest accepted execute body in bytes (1 MiB). */
  readonly bodyLimit?: number;
  /** Proxies whose `X-Forwarded-For` is believed; without it the socket address is the client. */
  readonly trustProxy?: TrustProxy;
  /** Also accept a bearer token from this cookie / query parameter. Off by default. */
  readonly tokenCookie?: string;
  readonly tokenQueryParam?: string;
  /** Serve `/metrics` (defaults to `app.options.enableMonitoring`). */
  readonly metrics?: boolean;
  /** `x` (default): X-RateLimit-*; `ietf`: RateLimit / RateLimit-Policy; `both`. */
  readonly rateLimitHeaders?: RateLimitHeaderStyle;
  /** Realm of the `WWW-Authenticate: Bearer` challenge (`nexus`). */
  readonly realm?: string;
  /** Document info of `/openapi.json`; `public: true` shows every operation to every caller, not only what each may call. */
  readonly openapi?: OpenApiOptions;
  /** Serve the interactive API reference at `/docs` (true). */
  readonly docs?: boolean;
  /** Browser access from other origins (`{origins: [...], credentials?}`); off by default. */
  readonly cors?: CorsOptions;
  /**
   * Policy metadata of the built-in routes the pipeline admits, over their default `{ public: true }`:
   * e.g. `{ metrics: { public: false, audit: false } }` makes scrapers authenticate and keeps scrapes out of audit.
   */
  readonly routePolicy?: BuiltinRoutePolicy;
}

/** The HTTP channel: add it to an app, extend it with native middleware and routers. */
export interface ApiChannel extends Channel {
  /** Express middleware the channel runs once the pipeline admitted a request (after the limit phase, before authorization); it can read `req.nexus`. */
  addMiddleware(middleware: RequestHandler): this;
  /**
   * Mounts an Express router whose requests pass the pipeline's authentication, tenant and limit
   * phases first, under the policy metadata it declares (`public`, `audit`, `tenantRequired`,
   * `limitGroup`, `tags`), as operations declare theirs.
   * @example api.addRouter('/status', statusRouter, { public: true, audit: false });
   */
  addRouter(path: string, router: Router | RequestHandler, policy?: PolicyOptions): this;
  /** The bound address once started (the real port when started on port 0). */
  address(): AddressInfo | undefined;
}

class ExpressApiChannel implements ApiChannel {
  readonly name: string;
  private app: Nexus | undefined;
  private server: Server | undefined;
  private readonly middlewares: RequestHandler[] = [];
  private readonly routers: [string, Router | RequestHandler, Policy][] = [];
  private readonly policies: BuiltinPolicies;
  private openapi: OpenApiRoute | undefined;
  private rc: RouteContext | undefined;
  private stopping: Promise<void> | undefined;
  private readonly limits: ServerLimits;

  constructor(private readonly options: ApiChannelOptions) {
    this.name = options.name ?? 'api';
    this.limits = resolveServerLimits(options);
    resolveCorsPolicy(options.cors);
    if ((options as { drainDelayMs?: unknown }).drainDelayMs !== undefined) {
      // The delay now holds every channel at once, so it belongs to the app.
      throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', 'drainDelayMs is an option of the app now: new Nexus({ drainDelayMs })');
    }
    if (options.bodyLimit !== undefined && !(Number.isInteger(options.bodyLimit) && options.bodyLimit > 0)) {
      throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', 'bodyLimit must be a positive integer number of bytes');
    }
    this.policies = builtinPolicies(options.routePolicy);
  }

  attach(app: Nexus): void {
    this.app = app;
    app.onOperationsChanged(() => this.openapi?.clear());
    app.addHealthCheck(`channel:${this.name}`, () =>
      this.server?.listening && !this.rc?.draining ? { status: 'healthy' } : { status: 'unhealthy', detail: this.rc?.draining ? 'draining' : 'not listening' },
    );
  }

  addMiddleware(middleware: RequestHandler): this {
    if (typeof middleware !== 'function') throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', 'addMiddleware() needs an Express middleware function');
    this.middlewares.push(middleware);
    return this;
  }

  addRouter(path: string, router: Router | RequestHandler, policy?: PolicyOptions): this {
    if (this.server !== undefined) throw new NexusSetupError('NEXUS_ERR_ALREADY_STARTED', 'routers must be added before the channel starts');
    if (typeof path !== 'string' || !path.startsWith('/')) throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', 'addRouter() needs a path starting with "/"');
    this.routers.push([path, router, resolvePolicy(`route ${path}`, policy)]);
    return this;
  }

  address(): AddressInfo | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address !== null ? address : undefined;
  }

  /** Operation paths, the catalogue, probes, metrics, OpenAPI, and each router as `<prefix>/*`. */
  routes(): string[] {
    const app = this.app;
    const metrics = this.options.metrics ?? app?.options.enableMonitoring ?? false;
    const operations = (app?.allOperations() ?? []).flatMap((operation) => [`/workflows/${operation.name}`, `/workflows/${operation.name}/execute`]);
    const routers = this.routers.flatMap(([path]) => {
      const prefix = path.replace(/\/+$/, '');
      return prefix === '' ? ['/*'] : [prefix, `${prefix}/*`];
    });
    const docs = this.options.docs !== false ? ['/docs', '/docs/*'] : [];
    return ['/workflows', ...operations, '/operations', '/operations/*', '/health', '/health/live', '/health/ready', '/openapi.json', ...docs, ...(metrics ? ['/metrics'] : []), ...routers];
  }

  async start(app: Nexus): Promise<ChannelAddress | undefined> {
    if (this.server !== undefined) return this.listeningAt();
    if (this.app === undefined) this.attach(app);
    const channel = this;
    const tokens = { cookie: this.options.tokenCookie, query: this.options.tokenQueryParam };
    const render = { rateLimitHeaders: this.options.rateLimitHeaders ?? 'x', realm: this.options.realm ?? 'nexus', tokens, tenantHeader: app.tenantHeader } as const;
    this.rc = {
      app,
      channel: this.name,
      bodyLimit: this.options.bodyLimit ?? DEFAULT_BODY_LIMIT,
      tokens,
      render,
      clientAddress: createAddressResolver(this.options.trustProxy),
      policies: this.policies,
      // From the app's drain on (its delay included), or this channel's own stop: readiness 503 and Connection: close.
      get draining() {
        return channel.stopping !== undefined || app.state === 'draining' || app.state === 'stopped';
      },
      middlewares: this.middlewares,
    };
    const rc = this.rc;
    const native = this.buildExpress(app, rc);
    const middlewares = this.middlewares;
    const limits = this.limits;
    const server = createServer({
      headersTimeout: limits.headersTimeout,
      requestTimeout: limits.requestTimeout,
      keepAliveTimeout: limits.keepAliveTimeout,
      connectionsCheckingInterval: limits.checkInterval,
    }, withCors(this.options.cors, ['GET', 'HEAD', 'POST'], (req, res) => {
      // One dispatcher, one execute(): a canonical execute call skips Express routing unless
      // native middleware must see it, which needs Express's own request and response objects.
      const target = req.method === 'POST' && middlewares.length === 0 ? executeTarget(req.url) : undefined;
      if (target === undefined) return void native(req, res);
      execute(rc, req, res, target.operation, target.path).catch((error: unknown) => {
        app.logger.error('request failed', { error });
        if (!res.headersSent) sendProblem(res, fromNativeError(error), requestIdFrom(req.headers), rc.render);
      });
    }));
    server.maxConnections = limits.maxConnections;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? app.options.apiPort, this.options.host ?? app.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return this.listeningAt();
  }

  private listeningAt(): ChannelAddress | undefined {
    const address = this.address();
    if (address === undefined) return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { channel: this.name, url: `http://${host}:${address.port}` };
  }

  /** Stops accepting, lets in-flight requests finish within `graceMs`, then closes every socket. */
  stop({ graceMs }: { readonly graceMs: number }): Promise<void> {
    const server = this.server;
    if (server === undefined || this.rc === undefined) return Promise.resolve();
    this.stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    })();
    return this.stopping;
  }

  private buildExpress(app: Nexus, rc: RouteContext): Express {
    const metrics = this.options.metrics ?? app.options.enableMonitoring;
    const server = express();
    server.disable('x-powered-by');
    server.disable('etag');
    // The hot route comes first, so no other layer runs before it.
    server.post('/workflows/:name/execute', (req, res) => execute(rc, req, res, req.params.name as string, pathOf(req.originalUrl), nativeCall(rc, req, res)));
    server.use((req, res, next) => {
      const requestId = requestIdFrom(req.headers);
      req.nexus = { requestId };
      res.setHeader('x-request-id', requestId);
      if (rc.draining) res.setHeader('connection', 'close');
      next();
    });
    server.get('/workflows', (req, res) => catalogue(rc, req, res));
    server.get('/workflows/:name', (req, res) => catalogue(rc, req, res, req.params.name as string));
    mountOperations(server, rc);
    server.get('/health', async (_req, res) => {
      const report = await app.healthCheck();
      sendJson(res, report.status === 'unhealthy' ? 503 : 200, JSON.stringify(report), {});
    });
    server.get('/health/live', (_req, res) => sendJson(res, 200, '{"status":"alive"}', {}));
    server.get('/health/ready', (_req, res) => {
      const ready = app.state === 'running' && !rc.draining && this.server?.listening === true;
      sendJson(res, ready ? 200 : 503, ready ? '{"status":"ready"}' : `{"status":"not_ready","state":"${rc.draining ? 'draining' : app.state}"}`, {});
    });
    if (this.options.docs !== false) mountDocs(server, rc);
    const publicRoutes = { metrics: rc.policies.metrics.public, openapi: rc.policies.openapi.public };
    const openapi = (this.openapi = new OpenApiRoute(this.options.openapi ?? {}, { metrics, rateLimitHeaders: this.options.rateLimitHeaders ?? 'x', publicRoutes }));
    server.get('/openapi.json', (req, res) => openapi.serve(app, rc, req, res));
    if (metrics) {
      // The registry is built on first read; a server builds it now so process metrics sampled
      // from the start (GC pauses, event-loop delay) are not missed before the first scrape.
      app.metrics.registry.contentType;
      server.get('/metrics', (req, res) =>
        admitted(rc, req, res, async () => {
          const text = await app.metrics.registry.metrics();
          sendJson(res, 200, text, {}, app.metrics.registry.contentType);
        }, rc.policies.metrics),
      );
    }
    if (this.routers.length > 0) {
      const mounted = this.routers.map(([path, , policy]) => ({ prefix: path.replace(/\/+$/, ''), policy }));
      // Admission is mounted without a path so native middleware sees the full, unstripped URL.
      server.use((req: Request, res: Response, next: NextFunction) => {
        const path = req.path;
        const route = mounted.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`) || prefix === '');
        if (route === undefined) return next();
        return admitted(rc, req, res, (ctx) => {
          setAnnotationHeaders(res, ctx.annotations, rc.render);
          return passToRouter(res, next);
        }, route.policy);
      });
      for (const [path, router] of this.routers) server.use(path, router);
    }
    server.use(methodNotAllowed(knownRoutes({ metrics, docs: this.options.docs !== false }), rc.render));
    server.use((req, res) => sendProblem(res, new NotFoundError('No route matches this request.'), req.nexus?.requestId ?? requestIdFrom({}), rc.render));
    server.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
      const nexusError = fromNativeError(error);
      const requestId = req.nexus?.requestId ?? requestIdFrom(req.headers);
      if (nexusError.code === 'INTERNAL') app.logger.error('request failed', { requestId, error: nexusError.cause ?? error });
      if (!res.headersSent) sendProblem(res, nexusError, requestId, rc.render);
      else if (!res.writableEnded) res.end();
    });
    return server;
  }
}

/**
 * Creates the HTTP channel: `POST /workflows/{name}/execute`, the catalogue, health probes,
 * metrics and OpenAPI, all mapped into the app's one pipeline.
 * @example
 * const api = createApiChannel({ port: 8000 });
 * api.addMiddleware(abac);
 * app.addChannel(api);
 * await app.start();
 */
export function createApiChannel(options: ApiChannelOptions = {}): ApiChannel {
  return new ExpressApiChannel(options);
}
