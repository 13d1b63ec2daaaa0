import { connect } from 'node:net';

/** A raw TCP client that sends `head` then drips `drip` one byte per `everyMs`, as slowloris does. */
export interface SlowClient {
  /** Resolves once the server closed the connection, with everything it answered. */
  readonly closed: Promise<string>;
  /** Bytes dripped before the server cut the connection. */
  dripped(): number;
  destroy(): void;
}

export function slowClient(port: number, head: string, drip: string, everyMs = 50): Promise<SlowClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    // A reset is a cut too: the server closed on a client still writing.
    socket.on('error', () => {});
    const closed = new Promise<string>((done) =>
      socket.once('close', () => {
        clearInterval(timer);
        done(answer);
      }),
    );
    socket.once('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (socket.destroyed || !socket.writable) return;
        socket.write(drip[sent % drip.length]!);
        sent++;
      }, everyMs);
      resolve({ closed, dripped: () => sent, destroy: () => socket.destroy() });
    });
    socket.once('error', reject);
  });
}

/** Opens a TCP connection and resolves once it is connected; `closed` resolves when the server ends it. */
export function idleConnection(port: number): Promise<{ closed: Promise<void>; destroy(): void }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ closed, destroy: () => socket.destroy() }));
    socket.once('error', reject);
  });
}
