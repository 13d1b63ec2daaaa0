import { createServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createForwardedAddressResolver } from '@nexus/core';
import type { ForwardedAddressResolver, Nexus, NexusError, ProblemDetails } from '@nexus/core';
import type { Caller } from '../handlers.js';
import { INVALID_REQUEST, PARSE_ERROR, REFUSED, errorResponse, idOf, isJsonRpcMessage, isNotification, isRequest } from '../jsonrpc.js';
import type { JsonRpcMessage, JsonRpcResponse } from '../jsonrpc.js';
import { PROTOCOL_VERSIONS } from '../sdk/adapter.js';
import { problemOf } from '../render.js';
import { admissionRefusal } from './admission.js';
import { Exchange } from './exchange.js';
import { Multiplexer } from './multiplexer.js';
import { Session } from './session.js';
import { BodyTooLargeError, credentialOf, isLoopback, passesRebindingCheck, readBody } from './guards.js';
import type { RebindingPolicy } from './guards.js';
import type { McpHttpOptions } from './options.js';

export type { McpHttpOptions } from './options.js';

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
};
const rpcError = (res: ServerResponse, status: number, code: number, message: string, headers?: Record<string, string>) =>
  json(res, status, errorResponse(null, code, message), headers);

/**
 * Streamable HTTP. Stateless by default: every POST stands alone, so any instance behind a
 * load balancer can answer it. Stateful mode keeps sessions in this process.
 */
export class McpHttpServer {
  private server: HttpServer | undefined;
  /** Stateless mode: one protocol server for every POST, built once. */
  private stateless: Multiplexer | undefined;
  private readonly sessions = new Map<string, Session>();
  private stopSessions: (() => void) | undefined;
  private readonly path: string;
  private readonly rebinding: RebindingPolicy | undefined;
  private readonly clientAddress: ForwardedAddressResolver;

  constructor(private readonly app: Nexus, private readonly options: McpHttpOptions = {}) {
    this.path = options.path ?? '/mcp';
    this.clientAddress = createForwardedAddressResolver(options.trustProxy);
    const host = options.host ?? app.options.host;
    this.rebinding = options.dnsRebindingProtection ?? isLoopback(host)
      ? { allowedHosts: options.allowedHosts ?? [], allowedOrigins: options.allowedOrigins ?? [] }
      : undefined;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.app.logger.error('mcp http request failed', { error });
        if (!res.headersSent) rpcError(res, 500, -32603, 'Internal error');
        else res.end();
      });
    });
    this.server = server;
    if (this.options.stateful) {
      this.stopSessions = this.superviseSessions();
    } else {
      this.stateless = new Multiplexer(this.app);
      await this.stateless.server.connect(this.stateless);
    }
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
    this.stopSessions?.();
    for (const session of [...this.sessions.values()]) await this.endSession(session);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(timer);
    await this.stateless?.server.close().catch(() => {});
    this.stateless = undefined;
  }

  private base(req: IncomingMessage): string {
    return (this.options.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`).replace(/\/$/, '');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.rebinding && !passesRebindingCheck(req, this.rebinding)) {
      return rpcError(res, 403, INVALID_REQUEST, 'Forbidden: Host or Origin not allowed.');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === METADATA_PATH || url.pathname === `${METADATA_PATH}${this.path}`) return this.metadata(req, res);
    if (url.pathname !== this.path) return json(res, 404, { error: 'not found' });
    if (req.method === 'POST') return this.post(req, res);
    if (this.options.stateful && (req.method === 'GET' || req.method === 'DELETE')) return this.sessionRequest(req, res);
    // Stateless: there is no session to stream to (GET) or to end (DELETE).
    return rpcError(res, 405, -32000, 'Method not allowed.', { allow: this.options.stateful ? 'GET, POST, DELETE' : 'POST' });
  }

  private superviseSessions(): () => void {
    const unsubscribe = this.app.onOperationsChanged(() => {
      for (const session of this.sessions.values()) session.server.notifyToolsChanged().catch(() => {});
    });
    const idleMs = this.options.sessionIdleMs ?? 30 * 60_000;
    const sweeper = setInterval(() => {
      for (const session of this.sessions.values()) if (Date.now() - session.lastSeen > idleMs) void this.endSession(session);
    }, Math.min(idleMs, 60_000));
    sweeper.unref();
    return () => {
      unsubscribe();
      clearInterval(sweeper);
    };
  }

  private async endSession(session: Session): Promise<void> {
    this.sessions.delete(session.id);
    await session.server.close().catch(() => {});
  }

  /** The session a request names; answers 400/404 itself when there is none. */
  private sessionOf(req: IncomingMessage, res: ServerResponse): Session | undefined {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string') {
      rpcError(res, 400, INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required.');
      return undefined;
    }
    const session = this.sessions.get(id);
    if (!session) rpcError(res, 404, -32001, 'Session not found.');
    return session;
  }

  private async sessionRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const session = this.sessionOf(req, res);
    if (!session) return;
    if (req.method === 'DELETE') {
      await this.endSession(session);
      res.writeHead(200).end();
      return;
    }
    if (!(req.headers.accept ?? '').includes('text/event-stream')) return rpcError(res, 406, INVALID_REQUEST, 'Not Acceptable: accept text/event-stream.');
    if (!session.openStream(res)) rpcError(res, 409, -32000, 'Conflict: this session already has a stream open.');
  }

  private async sessionFor(req: IncomingMessage, res: ServerResponse, messages: readonly JsonRpcMessage[]): Promise<Session | undefined> {
    if (req.headers['mcp-session-id'] === undefined && messages.some((message) => isRequest(message) && message.method === 'initialize')) {
      const session = new Session(this.app);
      this.sessions.set(session.id, session);
      await session.server.connect(session);
      res.setHeader('mcp-session-id', session.id);
      return session;
    }
    const session = this.sessionOf(req, res);
    if (session) session.lastSeen = Date.now();
    return session;
  }

  private metadata(req: IncomingMessage, res: ServerResponse): void {
    const issuer = this.options.issuer;
    json(res, 200, {
      resource: `${this.base(req)}${this.path}`,
      ...(issuer === undefined ? {} : { authorization_servers: typeof issuer === 'string' ? [issuer] : [...issuer] }),
      bearer_methods_supported: ['header'],
      resource_name: 'Nexus MCP',
    }, { 'cache-control': 'max-age=3600' });
  }

  private async post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return rpcError(res, 415, INVALID_REQUEST, 'Unsupported Media Type: Content-Type must be application/json.');
    }
    const accept = req.headers.accept ?? '';
    if (!(accept.includes('application/json') || accept.includes('*/*')) || !(accept.includes('text/event-stream') || accept.includes('*/*'))) {
      return rpcError(res, 406, INVALID_REQUEST, 'Not Acceptable: accept both application/json and text/event-stream.');
    }
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !PROTOCOL_VERSIONS.includes(version)) {
      return rpcError(res, 400, INVALID_REQUEST, `Bad Request: unsupported protocol version ${version}.`);
    }
    let body: Buffer;
    try {
      body = await readBody(req, this.options.maxBodyBytes ?? 1024 * 1024);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return rpcError(res, 413, INVALID_REQUEST, 'Payload Too Large.', { connection: 'close' });
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return rpcError(res, 400, PARSE_ERROR, 'Parse error: the body is not JSON.');
    }
    const batch = Array.isArray(parsed);
    const items: unknown[] = batch ? (parsed as unknown[]) : [parsed];
    const invalid = items.length === 0 ? null : items.find((item) => !isJsonRpcMessage(item));
    if (items.length === 0 || invalid !== undefined) {
      return json(res, 400, errorResponse(idOf(invalid), INVALID_REQUEST, 'Invalid Request: not a JSON-RPC 2.0 message.'));
    }
    return this.dispatch(req, res, items as JsonRpcMessage[], batch);
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, messages: JsonRpcMessage[], batch: boolean): Promise<void> {
    const tenant = req.headers['x-tenant-id'];
    const clientAddress = this.clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for']);
    const caller: Caller = {
      credential: credentialOf(req),
      ...(clientAddress === undefined ? {} : { clientAddress }),
      transport: { method: 'POST', path: this.path, headers: req.headers, ...(typeof tenant === 'string' ? { requestedTenant: tenant } : {}) },
      native: req,
    };
    const admission = admissionRefusal(this.app, messages, caller);
    const refusal = admission === undefined ? undefined : await admission;
    if (refusal) return this.refuse(req, res, refusal.error, refusal.requestId, messages);

    const target = this.options.stateful ? await this.sessionFor(req, res, messages) : this.stateless;
    if (!target) return;
    let requests = 0;
    for (const message of messages) {
      if (isRequest(message)) requests++;
      else if (isNotification(message) && message.method === 'notifications/cancelled') {
        // Cancellation goes through the multiplexer in both modes, so the call still answers
        // (CANCELLED) and its POST completes; the protocol's own handling would leave it unanswered.
        const id = message.params?.requestId;
        if (typeof id === 'string' || typeof id === 'number') target.cancel(req, id, message.params?.reason);
      }
    }
    if (requests === 0) {
      target.deliver(messages, caller, undefined, req);
      res.writeHead(202).end();
      return;
    }
    const exchange = new Exchange(res, messages, batch, this.onUnauthenticated);
    res.once('close', () => {
      if (!res.writableFinished) {
        exchange.abandon();
        target.abandon(exchange);
      }
    });
    target.deliver(messages, caller, exchange, req);
    await exchange.done;
  }

  /** Answers a POST refused before MCP: 401 with the challenge, or the refusal's own status. */
  private refuse(req: IncomingMessage, res: ServerResponse, error: NexusError, requestId: string | undefined, messages: readonly JsonRpcMessage[]): void {
    const problem = error.toProblem(requestId);
    const answers = messages.filter(isRequest).map((message) => errorResponse(message.id, REFUSED, `${problem.code}: ${problem.detail}`, problem));
    if (answers.length === 0) answers.push(errorResponse(null, REFUSED, `${problem.code}: ${problem.detail}`, problem));
    if (error.code === 'UNAUTHENTICATED') return this.unauthorized(req, res, problem, answers);
    const headers: Record<string, string> = requestId === undefined ? {} : { 'x-request-id': requestId };
    if (problem.retryAfter !== undefined) headers['retry-after'] = String(problem.retryAfter);
    json(res, error.status, answers.length === 1 ? answers[0] : answers, headers);
  }

  private readonly onUnauthenticated = (res: ServerResponse, problem: ProblemDetails, answers: JsonRpcResponse[]) => this.unauthorized(res.req, res, problem, answers);

  private unauthorized(req: IncomingMessage, res: ServerResponse, problem: ProblemDetails, answers: JsonRpcResponse[]): void {
    const presented = credentialOf(req).kind !== 'none';
    const challenge = `Bearer resource_metadata="${this.base(req)}${METADATA_PATH}"${presented ? ', error="invalid_token"' : ''}`;
    // A 401 answers before MCP: refusals go out as JSON-RPC errors, not as tool results.
    const errors = answers.map((answer) => {
      const refusal = problemOf(answer);
      return refusal && answer.id !== null ? errorResponse(answer.id, REFUSED, `${refusal.code}: ${refusal.detail}`, refusal) : answer;
    });
    json(res, 401, errors.length === 1 ? errors[0] : errors, { 'www-authenticate': challenge, ...(problem.requestId === undefined ? {} : { 'x-request-id': problem.requestId }) });
  }
}
