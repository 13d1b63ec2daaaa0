import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { NexusSetupError, PayloadTooLargeError } from '@nexus/core';
import type { Nexus } from '@nexus/core';
import { admit } from './admission.js';
import type { Refusal } from './admission.js';
import { createDispatcher, negotiateVersion } from './dispatcher.js';
import type { Caller } from './dispatcher.js';
import { batchRefusal, parseIncoming } from './incoming.js';
import { isRequest } from './jsonrpc.js';
import type { JsonRpcId, JsonRpcMessage } from './jsonrpc.js';
import { refusalResponse } from './render.js';
import { claimStdout } from './stdout-claim.js';

export interface McpStdioOptions {
  readonly input?: Readable;
  readonly output?: Writable;
  /** Where NEXUS_TOKEN and NEXUS_TENANT are read (process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** When serving process.stdout, sends every other stdout write to stderr (true). */
  readonly guardStdout?: boolean;
  /** Longest line read, in bytes (1 MiB, as the HTTP transport's body limit); longer ones are refused unparsed. */
  readonly maxLineBytes?: number;
}

export interface McpStdioServer {
  /** Settles when the input ends (the client went away) or `close()` is called. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves the app's operations over MCP stdio: newline-delimited JSON-RPC, one client, the same
 * dispatcher as HTTP. The credential is NEXUS_TOKEN from the environment, verified by the
 * pipeline like any other. Unlike the SDK's reader, a bad line is answered, not only logged.
 * @example
 * const server = serveMcpStdio(app);
 * await server.closed;
 * await app.stop();
 */
export function serveMcpStdio(app: Nexus, options: McpStdioOptions = {}): McpStdioServer {
  const env = options.env ?? process.env;
  const maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
  if (!(Number.isInteger(maxLineBytes) && maxLineBytes > 0)) throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', 'maxLineBytes must be a positive integer number of bytes');
  const output = options.output ?? process.stdout;
  const token = env.NEXUS_TOKEN;
  const tenant = env.NEXUS_TENANT;
  const caller: Caller = {
    credential: token ? { kind: 'bearer', token } : { kind: 'none' },
    transport: tenant ? { requestedTenant: tenant } : {},
  };
  const dispatch = createDispatcher(app);
  const writeLine: (line: string) => void =
    output === process.stdout && options.guardStdout !== false ? (line) => void claimStdout()(line) : (line) => void output.write(line);
  const send = (message: JsonRpcMessage) => writeLine(`${JSON.stringify(message)}\n`);
  const inFlight = new Map<JsonRpcId, AbortController>();
  // Ends the follow-ups (progress of tasks created here) when the server closes.
  const lifetime = new AbortController();
  const followUp = { notify: send, signal: lifetime.signal };
  let version: string | undefined;

  const serve = async (message: JsonRpcMessage): Promise<void> => {
    if (!isRequest(message)) {
      if ('method' in message && message.method === 'notifications/cancelled') {
        const id = message.params?.requestId;
        if (typeof id === 'string' || typeof id === 'number') inFlight.get(id)?.abort(message.params?.reason ?? 'cancelled by the client');
      }
      return;
    }
    const controller = new AbortController();
    inFlight.set(message.id, controller);
    try {
      if (message.method === 'initialize') version = negotiateVersion(message.params?.protocolVersion);
      const { response } = await dispatch(message, caller, { signal: controller.signal, notify: send, followUp });
      // The spec: a cancelled request is not answered (the client has stopped waiting for it).
      if (!controller.signal.aborted) send(response);
    } catch (error) {
      app.logger.error('mcp stdio request failed', { method: message.method, error });
      send({ jsonrpc: '2.0', id: message.id, error: { code: -32603, message: 'Internal error' } });
    } finally {
      if (inFlight.get(message.id) === controller) inFlight.delete(message.id);
    }
  };

  const serveAll = (messages: readonly JsonRpcMessage[]) => {
    for (const message of messages) void serve(message);
  };
  /** Refused as a whole, as over HTTP: one answer (none when the line held only notifications). */
  const refuse = (messages: readonly JsonRpcMessage[], refusal: Refusal) => {
    const requests = messages.filter(isRequest);
    if (requests.length > 0) send(refusalResponse(requests.length === 1 && messages.length === 1 ? requests[0]!.id : null, refusal.error, refusal.requestId));
  };

  const lines = createInterface({ input: options.input ?? process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    // The code every channel gives a request over its size limit; no request exists yet to answer by id.
    if (line.length > maxLineBytes || Buffer.byteLength(line) > maxLineBytes) {
      return send(refusalResponse(null, new PayloadTooLargeError(`A line may hold at most ${maxLineBytes} bytes.`), undefined));
    }
    const incoming = parseIncoming(line);
    if (!incoming.ok) return send(incoming.error);
    const { messages } = incoming;
    const refused = incoming.batch ? batchRefusal(messages, version) : undefined;
    if (refused) return send(refused);
    // The same admission as HTTP: a handshake with a bad NEXUS_TOKEN is refused (and audited) at once.
    const admission = admit(app, messages, caller);
    if (admission === undefined) return serveAll(messages);
    admission.then(
      (refusal) => (refusal ? refuse(messages, refusal) : serveAll(messages)),
      (error: unknown) => app.logger.error('mcp stdio admission failed', { error }),
    );
  });
  let endedResolve!: () => void;
  const ended = new Promise<void>((resolve) => (endedResolve = resolve));
  lines.once('close', () => endedResolve());

  const unsubscribe = app.onOperationsChanged(() => send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }));
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      unsubscribe();
      lines.close();
      for (const controller of inFlight.values()) controller.abort('server closing');
      lifetime.abort('server closing');
    })();
    return closing;
  };
  return { closed: ended.then(close), close };
}
