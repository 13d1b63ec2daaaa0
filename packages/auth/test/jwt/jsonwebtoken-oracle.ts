import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { isValidIdentifier } from '@nexus/core';
import type { ResolvedJwtConfig } from '../../src/jwt/config.js';
import { principalFromClaims } from '../../src/jwt/principal.js';

/**
 * The verification the auth package did with jsonwebtoken 9 before it verified with node:crypto
 * itself, kept as the oracle the equivalence tests compare against (no cache, static keys):
 * the principal's id, or the reason word it refused with.
 */
export function oracleVerify(config: ResolvedJwtConfig, key: KeyObject, token: string, now: number): string {
  const reject = (reason: string) => `refused:${reason}`;
  if (token.length === 0) return reject('missing');
  if (token.length > config.maxTokenLength) return reject('too_long');
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return reject('malformed');
  let header: { alg?: unknown; crit?: unknown };
  try {
    header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as typeof header;
  } catch {
    return reject('malformed');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return reject('malformed');
  if (Object.hasOwn(header, 'crit')) return reject('crit_unsupported');
  if (header.alg !== config.algorithm) return reject('algorithm');
  let payload: unknown;
  try {
    payload = jwt.verify(token, key, {
      algorithms: [config.algorithm],
      clockTimestamp: now,
      clockTolerance: config.leeway,
      complete: false,
      ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
      ...(config.audience === undefined ? {} : { audience: config.audience }),
      ...(config.maxTokenAge === undefined ? {} : { maxAge: config.maxTokenAge }),
    });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) return reject(error.message === 'maxAge exceeded' ? 'too_old' : 'expired');
    if (error instanceof jwt.NotBeforeError) return reject('not_yet_valid');
    const message = error instanceof Error ? error.message : '';
    if (message === 'invalid signature') return reject('bad_signature');
    if (message.startsWith('jwt issuer invalid')) return reject('bad_issuer');
    if (message.startsWith('jwt audience invalid')) return reject('bad_audience');
    if (message.startsWith('iat required')) return reject('too_old');
    if (message === 'invalid algorithm' || message.startsWith('secretOrPublicKey')) return reject('algorithm');
    return reject('malformed');
  }
  if (typeof payload !== 'object' || payload === null) return reject('malformed');
  const claims = payload as Record<string, unknown>;
  if (config.verifyExp && typeof claims.exp !== 'number') return reject('missing_exp');
  if (claims.sub !== undefined && claims.sub !== '' && !isValidIdentifier(claims.sub)) return reject('invalid_subject');
  const principal = principalFromClaims(claims, config.rolesClaim);
  return principal === undefined ? reject('no_subject') : `principal:${principal.id}:${principal.roles.join(',')}`;
}
