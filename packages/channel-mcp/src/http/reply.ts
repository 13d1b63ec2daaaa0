import type { ServerResponse } from 'node:http';
import type { JsonRpcMessage, JsonRpcNotification, JsonRpcResponse } from '../jsonrpc.js';

export const writeJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
};

/**
 * The answer to one POST: a JSON body once every request in it is answered, or, from the first
 * notification for one of them (progress), a server-sent event stream carrying the rest.
 */
export class Reply {
  private streaming = false;

  constructor(private readonly res: ServerResponse, private readonly headers: Record<string, string>) {}

  get gone(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  readonly notify = (notification: JsonRpcNotification): void => {
    if (this.gone) return;
    if (!this.streaming) {
      this.streaming = true;
      this.res.writeHead(200, { ...this.headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    }
    this.event(notification);
  };

  /** Sends the answers; `status` and `headers` apply unless a stream is already open. */
  finish(body: JsonRpcResponse | JsonRpcResponse[], status = 200, headers: Record<string, string> = {}): void {
    if (this.gone) return;
    if (!this.streaming) return writeJson(this.res, status, body, { ...this.headers, ...headers });
    for (const answer of Array.isArray(body) ? body : [body]) this.event(answer);
    this.res.end();
  }

  private event(message: JsonRpcMessage): void {
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }
}
