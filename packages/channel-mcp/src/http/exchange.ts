import type { ServerResponse } from 'node:http';
import type { ProblemDetails } from '@nexus/core';
import type { JsonRpcId, JsonRpcMessage, JsonRpcResponse } from '../jsonrpc.js';
import { isRequest, isResponse } from '../jsonrpc.js';
import { problemOf } from '../render.js';
import type { MessageTransport } from '../sdk/adapter.js';

/**
 * One POST's worth of MCP traffic. Answers are held until every request in the POST is done,
 * so a refusal for want of a credential can still become an HTTP 401. The first notification
 * for a pending request (progress) switches the answer to an SSE stream.
 */
export class Exchange implements MessageTransport {
  onmessage?: MessageTransport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly done: Promise<void>;
  private readonly pending: Set<JsonRpcId>;
  private readonly answers: JsonRpcResponse[] = [];
  private streaming = false;
  private finish!: () => void;

  constructor(
    private readonly res: ServerResponse,
    messages: readonly JsonRpcMessage[],
    private readonly batch: boolean,
    private readonly unauthenticated: (res: ServerResponse, problem: ProblemDetails, answers: JsonRpcResponse[]) => void,
  ) {
    this.pending = new Set();
    for (const message of messages) if (isRequest(message)) this.pending.add(message.id);
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.();
  }

  async send(message: JsonRpcMessage, options?: { relatedRequestId?: string | number }): Promise<void> {
    if (isResponse(message)) {
      if (message.id === null || !this.pending.delete(message.id)) return;
      if (this.streaming) this.event(message);
      else this.answers.push(message);
      if (this.pending.size === 0) this.complete();
      return;
    }
    // Stateless HTTP has no standing stream: only messages tied to a pending request can be delivered.
    if (options?.relatedRequestId === undefined || !this.pending.has(options.relatedRequestId) || this.res.writableEnded) return;
    if (!this.streaming) this.openStream();
    this.event(message);
  }

  private openStream(): void {
    this.streaming = true;
    this.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    for (const answer of this.answers.splice(0)) this.event(answer);
  }

  private event(message: JsonRpcMessage): void {
    if (!this.res.writableEnded) this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  private complete(): void {
    if (this.streaming) {
      this.res.end();
    } else if (!this.res.headersSent) {
      const refusal = this.answers.map(problemOf).find((problem) => problem?.code === 'UNAUTHENTICATED');
      if (refusal) {
        this.unauthenticated(this.res, refusal, this.answers);
      } else {
        const body = JSON.stringify(this.batch ? this.answers : this.answers[0]);
        this.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      }
    }
    this.finish();
  }

  /** The client left: nothing more can be delivered. */
  abandon(): void {
    this.pending.clear();
    this.finish();
  }
}
