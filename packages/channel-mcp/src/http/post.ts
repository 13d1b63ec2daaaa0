import type { IncomingMessage, ServerResponse } from 'node:http';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { ForwardedAddressResolver, Nexus, NexusError } from '@nexus/core';
import { parseCredential } from '@nexus/core/protocol';
import { admit } from '../admission.js';
import type { Answer, Caller, Dispatch, DispatchOptions } from '../dispatcher.js';
import { negotiateVersion } from '../dispatcher.js';
import { batchRefusal, parseIncoming } from '../incoming.js';
import { INVALID_REQUEST, REFUSED, errorResponse, isRequest, isRequestOf } from '../jsonrpc.js';
import type { JsonRpcId, JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { refusalResponse } from '../render.js';
import { BodyTooLargeError, readBody } from './body.js';
import type { InFlight } from './in-flight.js';
import { Reply, writeJson } from './reply.js';
import type { Session, Sessions } from './sessions.js';

/** What the POST handler needs from the server that owns it. */
export interface PostContext {
  readonly app: Nexus;
  readonly dispatch: Dispatch;
  readonly path: string;
  readonly maxBodyBytes: number;
  readonly clientAddress: ForwardedAddressResolver;
  readonly inFlight: InFlight;
  /** Present in stateful mode. */
  readonly sessions: Sessions | undefined;
  /** The `WWW-Authenticate` challenge of a 401. */
  challenge(req: IncomingMessage, tokenWasSent: boolean): string;
}

const rpcError = (res: ServerResponse, status: number, code: number, message: string, headers?: Record<string, string>) =>
  writeJson(res, status, errorResponse(null, code, message), headers);

function callerOf(context: PostContext, req: IncomingMessage): Caller {
  const tenant = req.headers[context.app.tenantHeader];
  return {
    // Repeated credential headers are ambiguous: headersDistinct shows them, req.headers keeps the first.
    credential: parseCredential({ authorization: req.headersDistinct.authorization, 'x-api-key': req.headersDistinct['x-api-key'] }),
    clientAddress: context.clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for']),
    transport: { method: 'POST', path: context.path, headers: req.headers, ...(typeof tenant === 'string' ? { requestedTenant: tenant } : {}) },
    native: req,
  };
}

/** Who may cancel a stateless request: the same client address presenting the same credential. */
const cancelScope = (req: IncomingMessage) => `${req.socket.remoteAddress ?? ''}\n${req.headers.authorization ?? ''}\n${req.headers['x-api-key'] ?? ''}`;

/** The single answer for a request refused as a whole (admission): one error, however many messages. */
function refuseRequest(context: PostContext, req: IncomingMessage, res: ServerResponse, caller: Caller, messages: readonly JsonRpcMessage[], error: NexusError, requestId: string | undefined): void {
  const only = messages.length === 1 && isRequest(messages[0]!) ? messages[0].id : null;
  const headers: Record<string, string> = requestId === undefined ? {} : { 'x-request-id': requestId };
  if (error.code === 'UNAUTHENTICATED') headers['www-authenticate'] = context.challenge(req, caller.credential.kind !== 'none');
  const retryAfter = error.toProblem().retryAfter;
  if (retryAfter !== undefined) headers['retry-after'] = String(Math.ceil(retryAfter));
  writeJson(res, error.status, refusalResponse(only, error, requestId), headers);
}

/** Resolves the session a stateful request belongs to (creating one on initialize); answers 400/404 itself. */
function sessionFor(sessions: Sessions, req: IncomingMessage, res: ServerResponse, messages: readonly JsonRpcMessage[]): Session | undefined {
  const id = req.headers['mcp-session-id'];
  const init = messages.length === 1 && isRequestOf(messages[0]!, 'initialize') ? (messages[0] as JsonRpcRequest) : undefined;
  if (id === undefined && init !== undefined) return sessions.create(negotiateVersion(init.params?.protocolVersion));
  if (typeof id !== 'string') {
    rpcError(res, 400, INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required.');
    return undefined;
  }
  const session = sessions.get(id);
  if (!session) rpcError(res, 404, -32001, 'Session not found.');
  return session;
}

/**
 * One Streamable HTTP POST: headers, body, admission (once, before any message is served),
 * batch rules, then every request dispatched; the answers and the refusals behind them decide
 * the HTTP status (401 when a request was refused for want of a credential).
 */
export async function servePost(context: PostContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    return rpcError(res, 415, INVALID_REQUEST, 'Unsupported Media Type: Content-Type must be application/json.');
  }
  const accept = req.headers.accept ?? '';
  if (!(accept.includes('application/json') || accept.includes('*/*')) || !(accept.includes('text/event-stream') || accept.includes('*/*'))) {
    return rpcError(res, 406, INVALID_REQUEST, 'Not Acceptable: accept both application/json and text/event-stream.');
  }
  const version = req.headers['mcp-protocol-version'];
  if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    return rpcError(res, 400, INVALID_REQUEST, 'Bad Request: unsupported MCP-Protocol-Version.');
  }
  let body: Buffer;
  try {
    body = await readBody(req, context.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return rpcError(res, 413, INVALID_REQUEST, 'Payload Too Large.', { connection: 'close' });
    throw error;
  }
  const incoming = parseIncoming(body.toString('utf8'));
  if (!incoming.ok) return writeJson(res, 400, incoming.error);
  const { messages, batch } = incoming;

  const caller = callerOf(context, req);
  const admission = admit(context.app, messages, caller);
  const refusal = admission === undefined ? undefined : await admission;
  if (refusal) return refuseRequest(context, req, res, caller, messages, refusal.error, refusal.requestId);

  const session = context.sessions === undefined ? undefined : sessionFor(context.sessions, req, res, messages);
  if (context.sessions !== undefined && session === undefined) return;
  if (batch) {
    const refused = batchRefusal(messages, typeof version === 'string' ? version : session?.version);
    if (refused) return writeJson(res, 400, refused);
  }
  const headers: Record<string, string> = session === undefined ? {} : { 'mcp-session-id': session.id };
  const scope = session?.id ?? cancelScope(req);
  const requests: JsonRpcRequest[] = [];
  for (const message of messages) {
    if (isRequest(message)) requests.push(message);
    else if ('method' in message && message.method === 'notifications/cancelled') {
      const id = message.params?.requestId;
      if (typeof id === 'string' || typeof id === 'number') context.inFlight.cancel(scope, id, message.params?.reason ?? 'cancelled by the client');
    }
  }
  if (requests.length === 0) {
    res.writeHead(202, headers).end();
    return;
  }

  const reply = new Reply(res, headers);
  const controllers = requests.map(() => new AbortController());
  const onClose = () => {
    if (!res.writableFinished) for (const controller of controllers) controller.abort('client disconnected');
  };
  res.once('close', onClose);
  // In a session, what outlives a request (a task's progress) goes to the session's GET stream.
  const followUp = session === undefined ? undefined : { notify: (message: JsonRpcNotification) => context.sessions!.send(session, message), signal: session.lifetime.signal };
  const answers = await Promise.all(requests.map((request, index) => serveOne(context, request, caller, scope, controllers[index]!, reply, followUp)));
  res.off('close', onClose);

  const unauthenticated = answers.find((answer) => answer.refusal?.code === 'UNAUTHENTICATED');
  if (unauthenticated === undefined) return reply.finish(batch ? answers.map((answer) => answer.response) : answers[0]!.response);
  // A 401 answers before MCP: a refused call goes out as a JSON-RPC error, not as a tool result.
  const bodies = answers.map(({ response, refusal: refused }) => (refused && response.result !== undefined ? asError(response.id, refused, response) : response));
  const requestId = problemRequestId(bodies);
  reply.finish(batch ? bodies : bodies[0]!, 401, {
    'www-authenticate': context.challenge(req, caller.credential.kind !== 'none'),
    ...(requestId === undefined ? {} : { 'x-request-id': requestId }),
  });
}

async function serveOne(context: PostContext, request: JsonRpcRequest, caller: Caller, scope: string, controller: AbortController, reply: Reply, followUp: DispatchOptions['followUp']): Promise<Answer> {
  const untrack = context.inFlight.track(scope, request.id, controller);
  try {
    return await context.dispatch(request, caller, { signal: controller.signal, notify: reply.notify, followUp });
  } catch (error) {
    context.app.logger.error('mcp request failed', { method: request.method, error });
    return { response: errorResponse(request.id, -32603, 'Internal error') };
  } finally {
    untrack();
  }
}

function asError(id: JsonRpcId | null, refusal: NexusError, response: JsonRpcResponse): JsonRpcResponse {
  const meta = response.result?._meta as Record<string, unknown> | undefined;
  const problem = refusal.toProblem(meta?.['nexus/requestId'] as string | undefined);
  return errorResponse(id, REFUSED, `${problem.code}: ${problem.detail}`, problem);
}

function problemRequestId(bodies: readonly JsonRpcResponse[]): string | undefined {
  for (const body of bodies) {
    const requestId = (body.error?.data as { requestId?: unknown } | undefined)?.requestId;
    if (typeof requestId === 'string') return requestId;
  }
  return undefined;
}
