import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { JsonRpcMessage } from '../jsonrpc.js';

/** One stateful MCP session: its negotiated version and the client's standing GET stream. */
export interface Session {
  readonly id: string;
  readonly version: string;
  lastSeen: number;
  stream: ServerResponse | undefined;
  /** Aborted when the session ends: what outlives a request in it (a task's progress) stops then. */
  readonly lifetime: AbortController;
}

const sse = (message: JsonRpcMessage) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

/** The sessions of stateful mode, kept in this process (so stateful mode needs sticky routing). */
export class Sessions {
  private readonly byId = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly idleMs: number) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(idleMs, 60_000));
    this.sweeper.unref();
  }

  create(version: string): Session {
    const session: Session = { id: randomUUID(), version, lastSeen: Date.now(), stream: undefined, lifetime: new AbortController() };
    this.byId.set(session.id, session);
    return session;
  }

  get(id: string): Session | undefined {
    const session = this.byId.get(id);
    if (session) session.lastSeen = Date.now();
    return session;
  }

  end(session: Session): void {
    this.byId.delete(session.id);
    session.lifetime.abort('session ended');
    session.stream?.end();
    session.stream = undefined;
  }

  /** Opens the standing SSE stream; false when one is already open. */
  openStream(session: Session, res: ServerResponse): boolean {
    if (session.stream && !session.stream.writableEnded) return false;
    session.stream = res;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'mcp-session-id': session.id });
    res.flushHeaders();
    res.once('close', () => {
      if (session.stream === res) session.stream = undefined;
    });
    return true;
  }

  /** A message for one session, on its GET stream; dropped while none is open (nothing is replayed). */
  send(session: Session, message: JsonRpcMessage): void {
    if (session.stream && !session.stream.writableEnded) session.stream.write(sse(message));
  }

  /** A message tied to no request (tools/list_changed) goes to every open stream. */
  broadcast(message: JsonRpcMessage): void {
    const event = sse(message);
    for (const session of this.byId.values()) if (session.stream && !session.stream.writableEnded) session.stream.write(event);
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const session of [...this.byId.values()]) this.end(session);
  }

  private sweep(): void {
    const now = Date.now();
    for (const session of [...this.byId.values()]) if (now - session.lastSeen > this.idleMs) this.end(session);
  }
}
