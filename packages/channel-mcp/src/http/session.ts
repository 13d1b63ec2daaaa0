import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Nexus } from '@nexus/core';
import { createHandlers } from '../handlers.js';
import type { Caller } from '../handlers.js';
import { isRequest, isResponse } from '../jsonrpc.js';
import type { JsonRpcId, JsonRpcMessage } from '../jsonrpc.js';
import { createProtocolServer } from '../sdk/adapter.js';
import type { MessageTransport, ProtocolServer } from '../sdk/adapter.js';
import { SERVER_INFO } from '../server-info.js';
import type { Exchange } from './exchange.js';

const NO_CALLER: Caller = { credential: { kind: 'none' }, transport: {} };

/**
 * One stateful MCP session: a protocol server that outlives single requests. Answers go back on
 * the POST that asked; messages tied to no request (tools/list_changed) go to the client's GET stream.
 */
export class Session implements MessageTransport {
  readonly id = randomUUID();
  readonly server: ProtocolServer;
  lastSeen = Date.now();
  onmessage?: MessageTransport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly exchanges = new Set<Exchange>();
  private readonly callers = new Map<JsonRpcId, Caller>();
  private stream: ServerResponse | undefined;

  constructor(app: Nexus) {
    this.server = createProtocolServer(SERVER_INFO, createHandlers(app, (request) => this.callers.get(request.id) ?? NO_CALLER));
  }

  async start(): Promise<void> {}

  async send(message: JsonRpcMessage, options?: { relatedRequestId?: string | number }): Promise<void> {
    const id = isResponse(message) ? message.id : options?.relatedRequestId;
    const exchange = id === undefined || id === null ? undefined : [...this.exchanges].find((candidate) => candidate.owns(id));
    if (exchange) {
      if (isResponse(message) && message.id !== null) this.callers.delete(message.id);
      return exchange.send(message, options);
    }
    if (!isResponse(message) && this.stream && !this.stream.writableEnded) this.stream.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  async close(): Promise<void> {
    this.stream?.end();
    this.stream = undefined;
    this.onclose?.();
  }

  /** Hands one POST's messages to the protocol server; answers go to `exchange`. */
  deliver(messages: readonly JsonRpcMessage[], caller: Caller, exchange: Exchange | undefined, headers: Record<string, string | string[] | undefined>): void {
    this.lastSeen = Date.now();
    if (exchange) {
      this.exchanges.add(exchange);
      void exchange.done.then(() => this.exchanges.delete(exchange));
    }
    for (const message of messages) if (isRequest(message)) this.callers.set(message.id, caller);
    for (const message of messages) this.onmessage?.(message, { requestInfo: { headers } });
  }

  /** Opens the standing SSE stream; false when one is already open. */
  openStream(res: ServerResponse): boolean {
    if (this.stream && !this.stream.writableEnded) return false;
    this.lastSeen = Date.now();
    this.stream = res;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'mcp-session-id': this.id });
    res.flushHeaders();
    res.once('close', () => {
      if (this.stream === res) this.stream = undefined;
    });
    return true;
  }
}
