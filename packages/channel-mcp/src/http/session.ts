import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { JsonRpcMessage } from '../jsonrpc.js';
import { Multiplexer } from './multiplexer.js';

/**
 * One stateful MCP session: a protocol server of its own. Answers go back on the POST that asked;
 * messages tied to no request (tools/list_changed) go to the client's GET stream.
 */
export class Session extends Multiplexer {
  readonly id = randomUUID();
  lastSeen = Date.now();
  private stream: ServerResponse | undefined;

  protected override unrelated(message: JsonRpcMessage): void {
    if (this.stream && !this.stream.writableEnded) this.stream.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  override async close(): Promise<void> {
    this.stream?.end();
    this.stream = undefined;
    await super.close();
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
