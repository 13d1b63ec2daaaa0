import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Nexus } from '@nexus/core';
import { createHandlers } from './handlers.js';
import { INVALID_REQUEST, PARSE_ERROR, errorResponse, idOf, isJsonRpcMessage } from './jsonrpc.js';
import type { JsonRpcMessage } from './jsonrpc.js';
import { createProtocolServer } from './sdk/adapter.js';
import type { MessageTransport } from './sdk/adapter.js';
import { SERVER_INFO } from './server-info.js';
import { claimStdout } from './stdout-guard.js';

export interface McpStdioOptions {
  readonly input?: Readable;
  readonly output?: Writable;
  /** Where NEXUS_TOKEN and NEXUS_TENANT are read (process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** When serving process.stdout, sends every other stdout write to stderr (true). */
  readonly guardStdout?: boolean;
}

export interface McpStdioServer {
  /** Settles when the input ends (the client went away) or `close()` is called. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** Newline-delimited JSON-RPC. Unlike the SDK's reader, a bad line is answered, not only logged. */
function lineTransport(input: Readable, writeLine: (line: string, done: (error?: Error | null) => void) => void): MessageTransport & { ended: Promise<void> } {
  const lines = createInterface({ input, crlfDelay: Infinity });
  const write = (message: JsonRpcMessage) =>
    new Promise<void>((resolve, reject) => writeLine(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : resolve())));
  let endedResolve!: () => void;
  const ended = new Promise<void>((resolve) => (endedResolve = resolve));
  const transport: MessageTransport & { ended: Promise<void> } = {
    ended,
    async start() {
      lines.on('line', (line) => {
        if (line.trim() === '') return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          void write(errorResponse(null, PARSE_ERROR, 'Parse error: the line is not JSON.')).catch(() => {});
          return;
        }
        for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
          if (isJsonRpcMessage(item)) transport.onmessage?.(item);
          else void write(errorResponse(idOf(item), INVALID_REQUEST, 'Invalid Request: not a JSON-RPC 2.0 message.')).catch(() => {});
        }
      });
      lines.once('close', () => {
        endedResolve();
        transport.onclose?.();
      });
    },
    send: (message) => write(message),
    async close() {
      lines.close();
    },
  };
  return transport;
}

/**
 * Serves the app's operations over MCP stdio. The credential is NEXUS_TOKEN from the
 * environment, verified by the pipeline like any other.
 * @example
 * const server = serveMcpStdio(app);
 * await server.closed;
 * await app.stop();
 */
export function serveMcpStdio(app: Nexus, options: McpStdioOptions = {}): McpStdioServer {
  const env = options.env ?? process.env;
  const output = options.output ?? process.stdout;
  const token = env.NEXUS_TOKEN;
  const tenant = env.NEXUS_TENANT;
  const server = createProtocolServer(SERVER_INFO, createHandlers(app, {
    credential: token ? { kind: 'bearer', token } : { kind: 'none' },
    transport: tenant ? { requestedTenant: tenant } : {},
  }));
  const writeLine =
    output === process.stdout && options.guardStdout !== false
      ? ((line: string, done: (error?: Error | null) => void) => claimStdout()(line, done))
      : (line: string, done: (error?: Error | null) => void) => output.write(line, done);
  const transport = lineTransport(options.input ?? process.stdin, writeLine);
  const unsubscribe = app.onOperationsChanged(() => {
    server.notifyToolsChanged().catch((error: unknown) => app.logger.warn('tools/list_changed not sent', { error }));
  });
  transport.onerror = (error) => app.logger.warn('mcp stdio transport error', { error });
  void server.connect(transport);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      unsubscribe();
      await server.close().catch(() => {});
    })();
    return closing;
  };
  return { closed: transport.ended.then(close), close };
}
