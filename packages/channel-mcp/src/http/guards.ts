import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.startsWith('127.');
}

function hostnameOf(hostHeader: string): string {
  // "[::1]:3001" keeps its brackets; "localhost:3001" loses the port.
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0] ?? '';
}

export interface RebindingPolicy {
  readonly allowedHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
}

/**
 * DNS-rebinding protection: a page on a foreign name that resolves to 127.0.0.1 still sends its
 * own name as Host and Origin, so both must be loopback names or explicitly allowed.
 */
export function passesRebindingCheck(req: IncomingMessage, policy: RebindingPolicy): boolean {
  const host = req.headers.host ?? '';
  if (!isLoopback(hostnameOf(host)) && !policy.allowedHosts.includes(host) && !policy.allowedHosts.includes(hostnameOf(host))) return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (policy.allowedOrigins.includes(origin)) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopback(url.hostname);
  } catch {
    return false;
  }
}

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
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The bearer token (or API key) exactly as presented; the pipeline decides what it is worth. */
export function credentialOf(req: IncomingMessage) {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return { kind: 'bearer' as const, token: match ? match[1]!.trim() : authorization };
  }
  const key = req.headers['x-api-key'];
  if (typeof key === 'string') return { kind: 'api-key' as const, key };
  return { kind: 'none' as const };
}
