import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {}

/** Reads the body, refusing (and stopping the read) as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * The credential as presented. `Authorization` must use the Bearer scheme; any other value is
 * passed on as a token the pipeline refuses, so a garbled header never downgrades a call to
 * anonymous (the HTTP channel refuses the same headers).
 */
export function credentialOf(headers: IncomingMessage['headers']) {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer +(\S+)$/i.exec(authorization.trim());
    return { kind: 'bearer' as const, token: match ? match[1]! : '' };
  }
  const key = headers['x-api-key'];
  if (typeof key === 'string') return { kind: 'api-key' as const, key };
  return { kind: 'none' as const };
}
