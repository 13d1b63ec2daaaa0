import { randomBytes } from 'node:crypto';
import { createAccessToken } from '@nexus/auth';

/** A fresh HS256 secret (48 random bytes, base64url) for one app under test. */
export function newSecret(): string {
  return randomBytes(48).toString('base64url');
}

/** An HS256 access token for `subject` with `roles`, in `tenant` when given, valid 10 minutes. */
export function mint(secret: string, subject: string, roles: readonly string[], tenant?: string): string {
  return createAccessToken({ key: secret, subject, roles: [...roles], ...(tenant === undefined ? {} : { tenant }), expiresIn: 600 });
}
