import type { KeyObject } from 'node:crypto';
import { NexusSetupError } from '@nexus/core';
import { ALGORITHMS } from './jwt/config.js';
import type { JwtAlgorithm } from './jwt/config.js';
import { loadJsonwebtoken } from './lazy-modules.js';

/** What `createAccessToken` signs. Time values are in seconds. */
export interface AccessTokenOptions {
  readonly subject: string;
  /** HS secret (≥ 32 bytes) or a PEM / KeyObject private key for RS/ES. */
  readonly key: string | Buffer | KeyObject;
  readonly algorithm?: JwtAlgorithm;
  readonly roles?: readonly string[];
  readonly permissions?: readonly string[];
  readonly tenant?: string;
  readonly expiresIn?: number;
  readonly notBefore?: number;
  readonly issuer?: string;
  readonly audience?: string | readonly string[];
  readonly keyId?: string;
  readonly rolesClaim?: string;
  readonly tenantClaim?: string;
  /** Further claims, merged last. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/**
 * Mints a signed access token for development and tests (production tokens come from an identity provider).
 * @example createAccessToken({ subject: 'alice', key: process.env.JWT_SECRET!, roles: ['admin'], tenant: 'acme' })
 */
export function createAccessToken(options: AccessTokenOptions): string {
  const algorithm = options.algorithm ?? 'HS256';
  if (!(ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new NexusSetupError('NEXUS_ERR_AUTH_ALGORITHM', `algorithm ${JSON.stringify(algorithm)} is not supported; use one of ${ALGORITHMS.join(', ')}`);
  }
  if (typeof options.subject !== 'string' || options.subject.length === 0) throw new NexusSetupError('NEXUS_ERR_AUTH_CONFIG', 'createAccessToken needs a subject');
  if (algorithm.startsWith('HS') && (typeof options.key === 'string' || Buffer.isBuffer(options.key))) {
    const bytes = typeof options.key === 'string' ? Buffer.byteLength(options.key) : options.key.length;
    if (bytes < 32) throw new NexusSetupError('NEXUS_ERR_WEAK_SECRET', `the secret has ${bytes} bytes; HS algorithms need at least 32`);
  }
  const payload: Record<string, unknown> = {
    [options.rolesClaim ?? 'roles']: [...(options.roles ?? [])],
    ...(options.permissions === undefined ? {} : { permissions: [...options.permissions] }),
    ...(options.tenant === undefined ? {} : { [options.tenantClaim ?? 'tenant_id']: options.tenant }),
    ...options.claims,
  };
  return loadJsonwebtoken().sign(payload, options.key, {
    algorithm,
    subject: options.subject,
    expiresIn: options.expiresIn ?? 3600,
    ...(options.notBefore === undefined ? {} : { notBefore: options.notBefore }),
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: typeof options.audience === 'string' ? options.audience : [...options.audience] }),
    ...(options.keyId === undefined ? {} : { keyid: options.keyId }),
  });
}
