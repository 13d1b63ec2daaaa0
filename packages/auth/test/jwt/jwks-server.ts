import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

export function rsaKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

/** A real JWKS endpoint on 127.0.0.1 whose keys, availability and latency the test controls. */
export class JwksServer {
  keys: SigningKey[] = [];
  mode: 'ok' | 'error' | 'hang' = 'ok';
  requests = 0;
  url = '';
  private server: Server | undefined;
  private readonly hanging = new Set<import('node:http').ServerResponse>();
  private hangEnded: () => void = () => {};
  /** Settles once a request held in `hang` mode is closed by its client (it gave up waiting). */
  hangEnds = new Promise<void>((resolve) => (this.hangEnded = resolve));

  async start(port = 0): Promise<this> {
    this.server = createServer((_req, res) => {
      this.requests++;
      if (this.mode === 'hang') {
        this.hanging.add(res);
        res.on('close', () => {
          if (this.hanging.delete(res)) this.hangEnded();
        });
        return;
      }
      if (this.mode === 'error') {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys.map((key) => key.jwk) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const { port: bound } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${bound}/.well-known/jwks.json`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
