import { Agent, request } from 'node:http';

/** How one request of a burst ended. */
export type LoadResult = { ok: true; status: number; body: string } | { ok: false; error: string };

export interface Burst {
  /** Resolves once every request's TCP connection is established (so the server has them all). */
  readonly connected: Promise<void>;
  /** Resolves when every request has a complete response or an error. */
  readonly done: Promise<LoadResult[]>;
  /** Responses completed so far. */
  completed(): number;
}

/**
 * Fires `count` POSTs at once, each on its own connection (no keep-alive), and records for each
 * whether a complete response arrived (status and whole body) or the connection failed.
 */
export function burst(url: string, count: number, headers: Record<string, string>, body: string): Burst {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  let connectedCount = 0;
  let completedCount = 0;
  let onAllConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (onAllConnected = resolve));
  const connectedOne = () => {
    if (++connectedCount === count) onAllConnected();
  };
  const one = () =>
    new Promise<LoadResult>((resolve) => {
      const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          completedCount++;
          resolve({ ok: true, status: res.statusCode ?? 0, body: text });
        });
        res.on('error', (error) => resolve({ ok: false, error: `response: ${error.message}` }));
        res.on('aborted', () => resolve({ ok: false, error: 'response aborted' }));
      });
      let counted = false;
      req.on('socket', (socket) => {
        const mark = () => {
          if (!counted) {
            counted = true;
            connectedOne();
          }
        };
        if (!socket.connecting) mark();
        else socket.once('connect', mark);
      });
      req.setTimeout(20_000, () => req.destroy(new Error('timed out')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (!counted) {
          counted = true;
          connectedOne();
        }
        resolve({ ok: false, error: error.code ?? error.message });
      });
      req.end(body);
    });
  const done = Promise.all(Array.from({ length: count }, one)).finally(() => agent.destroy());
  return { connected, done, completed: () => completedCount };
}
