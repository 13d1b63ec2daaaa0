import type { IncomingMessage } from 'node:http';
import type { Nexus } from '@nexus/core';
import { createHandlers } from '../handlers.js';
import type { Caller } from '../handlers.js';
import { isRequest, isResponse } from '../jsonrpc.js';
import type { JsonRpcId, JsonRpcMessage } from '../jsonrpc.js';
import { createProtocolServer } from '../sdk/adapter.js';
import type { MessageTransport, ProtocolServer } from '../sdk/adapter.js';
import { SERVER_INFO } from '../server-info.js';
import type { Exchange } from './exchange.js';

/** One request in flight: who sent it, under which id, and where its answer goes. */
interface Entry {
  readonly id: JsonRpcId;
  readonly caller: Caller;
  readonly exchange: Exchange;
  readonly req: IncomingMessage;
}

const NO_CALLER: Caller = { credential: { kind: 'none' }, transport: {} };

/** Who may cancel a request: the same client address presenting the same credential. */
function cancelKey(req: IncomingMessage): string {
  return `${req.socket.remoteAddress ?? ''}\n${req.headers.authorization ?? ''}\n${req.headers['x-api-key'] ?? ''}`;
}

/**
 * Feeds many HTTP exchanges into one long-lived protocol server. Clients choose their own
 * JSON-RPC ids, so two of them may both send id 1: each inbound request gets a unique internal id,
 * and answers and progress are mapped back to the exchange and id that asked.
 */
export class Multiplexer implements MessageTransport {
  readonly server: ProtocolServer;
  onmessage?: MessageTransport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly entries = new Map<number, Entry>();
  private nextId = 0;

  constructor(app: Nexus) {
    const callerOf = (request: { id: JsonRpcId }) => this.entries.get(request.id as number)?.caller ?? NO_CALLER;
    this.server = createProtocolServer(SERVER_INFO, createHandlers(app, callerOf), { answerCancelled: true });
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.();
  }

  async send(message: JsonRpcMessage, options?: { relatedRequestId?: string | number }): Promise<void> {
    if (isResponse(message)) {
      const entry = typeof message.id === 'number' ? this.entries.get(message.id) : undefined;
      if (entry === undefined) return;
      this.entries.delete(message.id as number);
      // The SDK built this response for us alone; restoring the client's id in place saves a copy.
      (message as { id: JsonRpcId }).id = entry.id;
      return entry.exchange.send(message);
    }
    const related = options?.relatedRequestId;
    const entry = typeof related === 'number' ? this.entries.get(related) : undefined;
    if (entry !== undefined) return entry.exchange.send(message, { relatedRequestId: entry.id });
    this.unrelated(message);
  }

  /** A message tied to no pending request (tools/list_changed): stateless HTTP has nowhere to put it. */
  protected unrelated(_message: JsonRpcMessage): void {}

  /**
   * Hands one POST's messages to the protocol server; answers go to `exchange`. Cancellations
   * are not passed on (their ids are the client's): use `cancel`.
   */
  deliver(messages: readonly JsonRpcMessage[], caller: Caller, exchange: Exchange | undefined, req: IncomingMessage): void {
    for (const message of messages) {
      if (isRequest(message)) {
        if (exchange === undefined) continue;
        const internal = ++this.nextId;
        this.entries.set(internal, { id: message.id, caller, exchange, req });
        // The parsed body belongs to this POST alone, so the id is swapped in place.
        (message as { id: JsonRpcId }).id = internal;
        this.onmessage?.(message);
      } else if (!isResponse(message) && message.method !== 'notifications/cancelled') {
        this.onmessage?.(message);
      }
    }
  }

  /** Cancels the caller's request `id` (from `notifications/cancelled`); it still answers, CANCELLED. */
  cancel(req: IncomingMessage, id: JsonRpcId, reason?: unknown): void {
    const key = cancelKey(req);
    for (const [internal, entry] of this.entries) {
      if (entry.id === id && cancelKey(entry.req) === key) this.abort(internal, reason);
    }
  }

  /** The client of `exchange` went away: its calls are cancelled, their answers discarded. */
  abandon(exchange: Exchange): void {
    for (const [internal, entry] of this.entries) if (entry.exchange === exchange) this.abort(internal, 'client disconnected');
  }

  private abort(internal: number, reason: unknown): void {
    const params = typeof reason === 'string' ? { requestId: internal, reason } : { requestId: internal };
    this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params });
  }
}
