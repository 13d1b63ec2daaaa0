// Bearer tokens for the benchmark: one per variant, or a pool of distinct principals written to
// a file (one a line) so every request of a load carries a different valid token.
import { createPrivateKey, createSign, createHmac, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';

/** Larger than the default verified-token caches (ours and fast-jwt's, set to 10,000 here): a round-robin pool never hits. */
export const POOL_SIZE = 12_000;

/** A developer (execute:*) in tenant "bench"; a fresh subject per token keeps rate-limit budgets apart. */
export const claims = (roles = ['developer']) => ({ sub: `bench-${randomUUID()}`, roles, tenant_id: 'bench' });

export function signHs256(secret, expiresIn = '2h', roles = undefined) {
  return jwt.sign(claims(roles), secret, { algorithm: 'HS256', expiresIn });
}

export function signRs256(privateKeyPem, expiresIn = '2h') {
  return jwt.sign(claims(), privateKeyPem, { algorithm: 'RS256', keyid: 'bench-key', expiresIn });
}

// Hand-rolled signing for the pool: the same tokens jsonwebtoken makes, without its per-call overhead.
function poolOf(alg, sign) {
  const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT', ...(alg === 'RS256' ? { kid: 'bench-key' } : {}) })).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const tokens = [];
  for (let i = 0; i < POOL_SIZE; i++) {
    const body = `${header}.${Buffer.from(JSON.stringify({ ...claims(), iat: now, exp: now + 7200 })).toString('base64url')}`;
    tokens.push(`${body}.${sign(body)}`);
  }
  const file = join(tmpdir(), `nexus-bench-pool-${alg}-${process.pid}.txt`);
  writeFileSync(file, `${tokens.join('\n')}\n`);
  return file;
}

export function hs256Pool(secret) {
  return poolOf('HS256', (body) => createHmac('sha256', secret).update(body).digest('base64url'));
}

export function rs256Pool(privateKeyPem) {
  const key = createPrivateKey(privateKeyPem);
  return poolOf('RS256', (body) => createSign('RSA-SHA256').update(body).sign(key, 'base64url'));
}
