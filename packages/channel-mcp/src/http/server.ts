import { createServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createForwardedAddressResolver, resolveCorsPolicy, resolveServerLimits } from '@nexus/core';
import type { Nexus, ServerLimits } from '@nexus/core';
import { wwwAuthenticate } from '@nexus/core/protocol';
import { createDispatcher } from '../dispatcher.js';
import { INVALID_REQUEST, errorResponse } from '../jsonrpc.js';
import { isLoopback, passesRebindingCheck } from './host-check.js';
import type { RebindingPolicy } from './host-check.js';
import { withCors } from './cors.js';
import { InFlight } from './in-flight.js';
import type { McpHttpOptions } from './options.js';
import { servePost } from './post.js';
import type { PostContext } from './post.js';
import { writeJson } from './reply.js';
import { Sessions } from './sessions.js';

export type { McpHttpOptions } from './options.js';

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

/** Where OAuth clients look for an authorization server when a resource server names none. */
const AUTHORIZATION_SERVER_PATHS = /^\/(?:\.well-known\/(?:oauth-authorization-server|openid-configuration)(?:\/.*)?|register|authorize|token)$/;

const rpcError = (res: ServerResponse, status: number, code: number, message: string, headers?: Record<string, string>) =>
  writeJson(res, status, errorResponse(null, code, message), headers);

/**
 * Streamable HTTP. Stateless by default: every POST stands alone, so any instance behind a
 * load balancer can answer it. Stateful mode keeps sessions in this process.
 */
export class McpHttpServer {
  private server: HttpServer | undefined;
  private sessions: Sessions | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly path: string;
  private readonly rebinding: RebindingPolicy | undefined;
  private post: PostContext | undefined;
  private readonly limits: ServerLimits;

  constructor(private readonly app: Nexus, private readonly options: McpHttpOptions = {}) {
    this.limits = resolveServerLimits(options);
    const cors = resolveCorsPolicy(options.cors);
    this.path = options.path ?? '/mcp';
    const host = options.host ?? app.options.host;
    this.rebinding = options.dnsRebindingProtection ?? isLoopback(host)
      // Origins allowed to call across origins are, by that, allowed past the rebinding check.
      ? { allowedHosts: options.allowedHosts ?? [], allowedOrigins: [...(options.allowedOrigins ?? []), ...(cors === undefined || cors.origins === '*' ? [] : cors.origins)] }
      : undefined;
  }

  async listen(): Promise<void> {
    const { headersTimeout, requestTimeout, keepAliveTimeout, checkInterval, maxConnections } = this.limits;
    const methods = this.options.stateful ? ['GET', 'POST', 'DELETE'] : ['POST'];
    const server = createServer({ headersTimeout, requestTimeout, keepAliveTimeout, connectionsCheckingInterval: checkInterval }, withCors(this.options.cors, methods, (req, res) => {
      // The app is draining (its drain delay): still served, but clients should not reuse the connection.
      if (this.app.state === 'draining') res.setHeader('connection', 'close');
      this.handle(req, res).catch((error: unknown) => {
        this.app.logger.error('mcp http request failed', { error });
        if (!res.headersSent) rpcError(res, 500, -32603, 'Internal error');
        else res.end();
      });
    }));
    server.maxConnections = maxConnections;
    this.server = server;
    if (this.options.stateful) {
      const sessions = new Sessions(this.options.sessionIdleMs ?? 30 * 60_000);
      this.sessions = sessions;
      this.unsubscribe = this.app.onOperationsChanged(() => sessions.broadcast({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }));
    }
    this.post = {
      app: this.app,
      dispatch: createDispatcher(this.app),
      path: this.path,
      maxBodyBytes: this.options.maxBodyBytes ?? 1024 * 1024,
      clientAddress: createForwardedAddressResolver(this.options.trustProxy),
      inFlight: new InFlight(),
      sessions: this.sessions,
      challenge: (req, tokenWasSent) => wwwAuthenticate({ tokenWasSent, resourceMetadata: `${this.base(req)}${METADATA_PATH}` }),
    };
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? this.app.options.mcpPort, this.options.host ?? this.app.options.host, () => resolve());
    });
  }

  /** True from `listen()` until `close()` begins. */
  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  address(): { host: string; port: number; url: string } | undefined {
    const info = this.server?.address() as AddressInfo | null | undefined;
    if (!info) return undefined;
    const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
    return { host: info.address, port: info.port, url: `http://${host}:${info.port}${this.path}` };
  }

  async close(graceMs: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.unsubscribe?.();
    this.sessions?.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(timer);
  }

  private base(req: IncomingMessage): string {
    return (this.options.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`).replace(/\/$/, '');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.rebinding && !passesRebindingCheck(req.headers, this.rebinding)) {
      return rpcError(res, 403, INVALID_REQUEST, 'Forbidden: Host or Origin not allowed.');
    }
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname === METADATA_PATH || pathname === `${METADATA_PATH}${this.path}`) return this.metadata(req, res);
    if (pathname !== this.path) {
      return AUTHORIZATION_SERVER_PATHS.test(pathname) ? this.notAnAuthorizationServer(req, res) : writeJson(res, 404, { error: 'not found' });
    }
    if (req.method === 'POST') return servePost(this.post!, req, res);
    if (this.sessions && (req.method === 'GET' || req.method === 'DELETE')) return this.sessionRequest(this.sessions, req, res);
    // Stateless: there is no session to stream to (GET) or to end (DELETE).
    return rpcError(res, 405, -32000, 'Method not allowed.', { allow: this.sessions ? 'GET, POST, DELETE' : 'POST' });
  }

  private sessionRequest(sessions: Sessions, req: IncomingMessage, res: ServerResponse): void {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string') return rpcError(res, 400, INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required.');
    const session = sessions.get(id);
    if (!session) return rpcError(res, 404, -32001, 'Session not found.');
    if (req.method === 'DELETE') {
      sessions.end(session);
      res.writeHead(200).end();
      return;
    }
    if (!(req.headers.accept ?? '').includes('text/event-stream')) return rpcError(res, 406, INVALID_REQUEST, 'Not Acceptable: accept text/event-stream.');
    if (!sessions.openStream(session, res)) rpcError(res, 409, -32000, 'Conflict: this session already has a stream open.');
  }

  /** An OAuth client that found no authorization server falls back to this port: say why, not just 404. */
  private notAnAuthorizationServer(req: IncomingMessage, res: ServerResponse): void {
    writeJson(res, 404, {
      error: 'not_found',
      error_description: `This MCP server is a resource server, not an authorization server; ${this.base(req)}${METADATA_PATH} lists the authorization servers it accepts tokens from (none when no token issuer is configured).`,
    });
  }

  private metadata(req: IncomingMessage, res: ServerResponse): void {
    const issuer = this.options.issuer;
    // Whenever an issuer is known, clients can discover it: stated here, or declared by the auth plugin.
    const servers = issuer === undefined ? this.app.authorizationServers : typeof issuer === 'string' ? [issuer] : issuer;
    writeJson(res, 200, {
      resource: `${this.base(req)}${this.path}`,
      ...(servers.length === 0 ? {} : { authorization_servers: servers }),
      bearer_methods_supported: ['header'],
      resource_name: 'Nexus MCP',
    }, { 'cache-control': 'max-age=3600' });
  }
}
