import { createHmac, randomBytes } from 'node:crypto';
import { createAccessToken } from '@nexus/auth';

/** A fresh HS256 secret (48 random bytes, base64url) for one app under test. */
export function newSecret(): string {
  return randomBytes(48).toString('base64url');
}

/** An HS256 access token for `subject` with `roles`, in `tenant` when given, valid 10 minutes. */
export function mint(secret: string, subject: string, roles: readonly string[], tenant?: string): string {
  return createAccessToken({ key: secret, subject, roles: [...roles], ...(tenant === undefined ? {} : { tenant }), expiresIn: 600 });
}

/** An HS256 token with extra claims (scope, permissions) the helper above does not name. */
export function mintWith(secret: string, subject: string, roles: readonly string[], tenant: string, claims: Record<string, unknown>): string {
  return createAccessToken({ key: secret, subject, roles: [...roles], tenant, claims, expiresIn: 600 });
}

/** A correctly signed HS256 token whose header adds `extra` (a `crit` parameter no library would write). */
export function mintWithHeader(secret: string, subject: string, roles: readonly string[], tenant: string, extra: Record<string, unknown>): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const signingInput = `${b64({ alg: 'HS256', typ: 'JWT', ...extra })}.${b64({ sub: subject, roles, tenant_id: tenant, iat: now, exp: now + 600 })}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}
