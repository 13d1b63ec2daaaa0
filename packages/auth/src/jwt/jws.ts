import { createHmac, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { JwtAlgorithm, ResolvedJwtConfig } from './config.js';
import type { AuthFailureReason } from './errors.js';

/**
 * Compact JWS verification on node:crypto for the one pinned algorithm, and the registered
 * claim checks. Its answers are jsonwebtoken 9's, reason for reason (the equivalence tests
 * compare a large corpus against it): jsonwebtoken spent about as much time taking a token
 * apart and re-checking options as in the signature itself, on every token the cache missed.
 */

const HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' } as const;
const hashOf = (alg: JwtAlgorithm): string => HASH[Number(alg.slice(2)) as keyof typeof HASH];
// ECDSA signatures are r‖s (IEEE P1363) of a fixed size per curve (RFC 7518 §3.4).
const EC_CURVE: Partial<Record<JwtAlgorithm, { curve: string; bytes: number }>> = {
  ES256: { curve: 'prime256v1', bytes: 64 },
  ES384: { curve: 'secp384r1', bytes: 96 },
  ES512: { curve: 'secp521r1', bytes: 132 },
};

/** Whether `key` may verify `alg` at all: the type of key, and for EC its curve. */
function keyProblem(alg: JwtAlgorithm, key: KeyObject): AuthFailureReason | undefined {
  if (alg.startsWith('HS')) return key.type === 'secret' ? undefined : 'algorithm';
  if (key.type !== 'public') return 'algorithm';
  const type = key.asymmetricKeyType;
  if (alg.startsWith('RS')) return type === 'rsa' ? undefined : 'malformed';
  return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === EC_CURVE[alg]?.curve ? undefined : 'malformed';
}

const checkedKeys = new WeakMap<KeyObject, Map<JwtAlgorithm, AuthFailureReason | undefined>>();
function keyProblemOnce(alg: JwtAlgorithm, key: KeyObject): AuthFailureReason | undefined {
  let byAlg = checkedKeys.get(key);
  if (byAlg === undefined) checkedKeys.set(key, (byAlg = new Map()));
  if (!byAlg.has(alg)) byAlg.set(alg, keyProblem(alg, key));
  return byAlg.get(alg);
}

function signatureValid(alg: JwtAlgorithm, key: KeyObject, input: string, signature: string): boolean | 'malformed' {
  if (alg.startsWith('HS')) {
    // Compared as base64url text, like jws: another spelling of the same bytes is refused.
    const expected = createHmac(hashOf(alg), key).update(input).digest('base64url');
    return expected.length === signature.length && timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(signature, 'latin1'));
  }
  const bytes = Buffer.from(signature, 'base64url');
  if (alg.startsWith('RS')) return verifySignature(hashOf(alg), Buffer.from(input), key, bytes);
  if (bytes.length !== EC_CURVE[alg]!.bytes) return 'malformed';
  return verifySignature(hashOf(alg), Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, bytes);
}

type Claims = { readonly [name: string]: unknown };

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * The claims of `token` (three base64url segments; its header already parsed and its `alg`
 * already the configured one) once its signature verified under `key`, or the reason it is refused.
 */
export function verifyJws(token: string, header: { readonly typ?: unknown }, key: KeyObject, config: ResolvedJwtConfig, now: number): { claims: unknown } | AuthFailureReason {
  const alg = config.algorithm;
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  const payloadText = Buffer.from(token.slice(first + 1, last), 'base64url').toString('utf8');
  // A typ JWT payload is parsed before the signature is looked at (an unparsable one is malformed);
  // any other is parsed after, and kept as text when it is not a JSON object.
  let claims: unknown;
  const typed = header.typ === 'JWT';
  if (typed) {
    const parsed = parseJson(payloadText);
    if (parsed === undefined) return 'malformed';
    claims = parsed.value;
  }
  const unusable = keyProblemOnce(alg, key);
  if (unusable !== undefined) return unusable;
  const valid = signatureValid(alg, key, token.slice(0, last), token.slice(last + 1));
  if (valid !== true) return valid === false ? 'bad_signature' : valid;
  if (!typed) {
    const parsed = parseJson(payloadText);
    claims = parsed !== undefined && typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : payloadText;
  }
  if (claims === null) return 'malformed';
  const problem = claimsProblem(claims as Claims, config, now);
  return problem ?? { claims };
}

/** nbf, exp, aud, iss and the token's age, in that order, with the configured leeway. */
function claimsProblem(claims: Claims, config: ResolvedJwtConfig, now: number): AuthFailureReason | undefined {
  const leeway = config.leeway;
  const { nbf, exp } = claims;
  if (nbf !== undefined) {
    if (typeof nbf !== 'number') return 'malformed';
    if (nbf > now + leeway) return 'not_yet_valid';
  }
  if (exp !== undefined) {
    if (typeof exp !== 'number') return 'malformed';
    if (now >= exp + leeway) return 'expired';
  }
  const audience = config.audience;
  if (audience !== undefined) {
    const wanted: readonly string[] = typeof audience === 'string' ? [audience] : audience;
    const offered: readonly unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!offered.some((aud) => wanted.some((one) => one === aud))) return 'bad_audience';
  }
  const issuer = config.issuer;
  if (issuer !== undefined && (typeof issuer === 'string' ? claims.iss !== issuer : !issuer.some((one) => one === claims.iss))) return 'bad_issuer';
  if (config.maxTokenAge !== undefined) {
    const iat = claims.iat;
    if (typeof iat !== 'number' || now >= iat + config.maxTokenAge + leeway) return 'too_old';
  }
  return undefined;
}
