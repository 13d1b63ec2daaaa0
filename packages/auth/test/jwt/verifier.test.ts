import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { TOKEN_CACHE_TTL_SECONDS } from '../../src/jwt/cache.js';
import { resolveJwtConfig } from '../../src/jwt/config.js';
import type { JwtAlgorithm } from '../../src/jwt/config.js';
import { createVerifier } from '../../src/jwt/verifier.js';
import { createAccessToken } from '../../src/tokens.js';
import { SECRET, appWith, call, forge, nowSeconds, reasonOf } from '../helpers.js';

const GENERIC = 'Authentication is required or the credential was not accepted.';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const strict = { secret: SECRET, issuer: 'https://id.example.com', audience: 'nexus-api' } as const;
const good = (extra: Partial<Parameters<typeof createAccessToken>[0]> = {}) =>
  createAccessToken({ subject: 'alice', key: SECRET, issuer: strict.issuer, audience: strict.audience, ...extra });

afterEach(() => {
  jest.useRealTimers();
});

describe('bearer token verification', () => {
  const { app } = appWith({ jwt: strict, authFailureThrottle: false });

  it('accepts a valid token and resolves the principal', async () => {
    const result = await call(app, good({ roles: ['dev'] }));
    expect(result.ok).toBe(true);
    expect(result.ok && result.value).toMatchObject({ principal: 'alice', roles: ['dev'] });
    expect(result.annotations.principal?.id).toBe('alice');
  });

  const now = nowSeconds();
  const base = { sub: 'alice', iss: strict.issuer, aud: strict.audience, iat: now, exp: now + 600 };
  it.each([
    ['alg none', () => forge({ alg: 'none', typ: 'JWT' }, base), 'malformed'],
    ['alg None with a signature', () => forge({ alg: 'None' }, base, SECRET), 'algorithm'],
    ['alg NONE with a signature', () => forge({ alg: 'NONE' }, base, SECRET), 'algorithm'],
    ['an HS384 token when HS256 is configured', () => jwt.sign(base, SECRET, { algorithm: 'HS384' }), 'algorithm'],
    ['an RS256 token when HS256 is configured', () => jwt.sign(base, rsa.privateKey, { algorithm: 'RS256' }), 'algorithm'],
    ['an expired token', () => good({ expiresIn: -10 }), 'expired'],
    ['a token whose nbf is in the future', () => good({ notBefore: 120 }), 'not_yet_valid'],
    ['a token without exp', () => forge({ alg: 'HS256' }, { ...base, exp: undefined }, SECRET), 'missing_exp'],
    ['a wrong issuer', () => good({ issuer: 'https://evil.example.com' }), 'bad_issuer'],
    ['a missing issuer', () => forge({ alg: 'HS256' }, { ...base, iss: undefined }, SECRET), 'bad_issuer'],
    ['a wrong audience', () => good({ audience: 'another-api' }), 'bad_audience'],
    ['a missing audience', () => forge({ alg: 'HS256' }, { ...base, aud: undefined }, SECRET), 'bad_audience'],
    ['a wrong signature', () => createAccessToken({ subject: 'alice', key: `${SECRET}-other`, issuer: strict.issuer, audience: strict.audience }), 'bad_signature'],
    ['a truncated token', () => good().split('.').slice(0, 2).join('.'), 'malformed'],
    ['a token cut inside its signature', () => good().slice(0, -10), 'bad_signature'],
    ['non-base64 characters', () => `${good().slice(0, 20)}!@#$${good().slice(24)}`, 'malformed'],
    ['a header that is not JSON', () => `${Buffer.from('not json').toString('base64url')}.e30.c2ln`, 'malformed'],
    ['a 1 MB token', () => `${'a'.repeat(1024 * 1024)}.b.c`, 'too_long'],
    ['a token without a subject', () => forge({ alg: 'HS256' }, { ...base, sub: undefined }, SECRET), 'no_subject'],
  ])('refuses %s with the generic message', async (_name, make, reason) => {
    const result = await call(app, make());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('UNAUTHENTICATED');
    expect(result.error.message).toBe(GENERIC);
    expect(JSON.stringify(result.error.toProblem(result.requestId))).not.toContain(reason);
    expect(reasonOf(result)).toBe(reason);
  });

  it('refuses a call without a credential and counts the reason', async () => {
    const result = await call(app, undefined);
    expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
    const metrics = await app.metrics.registry.getSingleMetricAsString('nexus_auth_failures_total');
    expect(metrics).toContain('reason="missing"');
    expect(metrics).toContain('reason="bad_signature"');
  });

  it('refuses a token that expires after it was cached', async () => {
    jest.useFakeTimers({ now: Date.now(), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const token = good({ expiresIn: 30 });
    expect((await call(app, token)).ok).toBe(true);
    expect((await call(app, token)).ok).toBe(true);
    jest.setSystemTime(Date.now() + 31_000);
    const result = await call(app, token);
    expect(reasonOf(result)).toBe('expired');
  });
});

describe('the verified-token cache', () => {
  it('trusts a cached token for a short time only, then verifies it again', async () => {
    jest.useFakeTimers({ now: Date.now(), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const verifier = createVerifier(resolveJwtConfig({ secret: SECRET }));
    const token = createAccessToken({ subject: 'alice', key: SECRET, expiresIn: 3600 });
    expect(verifier.known(token)).toBeUndefined();
    await verifier.verify(token);
    expect(verifier.known(token)?.id).toBe('alice');
    jest.setSystemTime(Date.now() + (TOKEN_CACHE_TTL_SECONDS - 5) * 1000);
    expect(verifier.known(token)?.id).toBe('alice');
    jest.setSystemTime(Date.now() + 10_000);
    expect(verifier.known(token)).toBeUndefined();
    expect((await verifier.verify(token)).id).toBe('alice');
    verifier.close();
  });
});

describe('clock options', () => {
  it('honours leeway on exp and nbf', async () => {
    const { app } = appWith({ jwt: { secret: SECRET, leeway: 60 }, authFailureThrottle: false });
    expect((await call(app, createAccessToken({ subject: 'a', key: SECRET, expiresIn: -30 }))).ok).toBe(true);
    expect((await call(app, createAccessToken({ subject: 'a', key: SECRET, notBefore: 30 }))).ok).toBe(true);
    expect(reasonOf(await call(app, createAccessToken({ subject: 'a', key: SECRET, expiresIn: -90 })))).toBe('expired');
  });

  it('refuses tokens older than maxTokenAge, and tokens without iat', async () => {
    const { app } = appWith({ jwt: { secret: SECRET, maxTokenAge: 300 }, authFailureThrottle: false });
    const old = forge({ alg: 'HS256' }, { sub: 'a', iat: nowSeconds() - 301, exp: nowSeconds() + 600 }, SECRET);
    expect(reasonOf(await call(app, old))).toBe('too_old');
    const noIat = forge({ alg: 'HS256' }, { sub: 'a', exp: nowSeconds() + 600 }, SECRET);
    expect(reasonOf(await call(app, noIat))).toBe('too_old');
    expect((await call(app, createAccessToken({ subject: 'a', key: SECRET }))).ok).toBe(true);
  });

  it('accepts a token without exp only when verifyExp is false', async () => {
    const token = forge({ alg: 'HS256' }, { sub: 'a' }, SECRET);
    expect((await call(appWith({ jwt: { secret: SECRET, verifyExp: false } }).app, token)).ok).toBe(true);
    expect(reasonOf(await call(appWith({ jwt: { secret: SECRET } }).app, token))).toBe('missing_exp');
  });
});

describe('algorithms', () => {
  const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });
  type Case = [JwtAlgorithm, string | KeyObject, string | KeyObject];
  const cases: Case[] = [
    ['HS256', SECRET, SECRET],
    ['HS384', `${SECRET}${SECRET}`, `${SECRET}${SECRET}`],
    ['HS512', `${SECRET}${SECRET}`, `${SECRET}${SECRET}`],
    ['RS256', rsa.privateKey, rsaPublicPem],
    ['RS384', rsa.privateKey, rsaPublicPem],
    ['RS512', rsa.privateKey, rsa.publicKey],
    ...(['ES256:prime256v1', 'ES384:secp384r1', 'ES512:secp521r1'].map((spec) => {
      const [alg, curve] = spec.split(':') as [JwtAlgorithm, string];
      const pair = ec(curve);
      return [alg, pair.privateKey, pair.publicKey] satisfies Case;
    })),
  ];

  it.each(cases)('verifies %s tokens', async (algorithm, signKey, verifyKey) => {
    const config = algorithm.startsWith('HS') ? { secret: verifyKey as string, algorithm } : { publicKey: verifyKey, algorithm };
    const { app } = appWith({ jwt: config as never });
    const token = createAccessToken({ subject: 'alice', key: signKey, algorithm });
    const result = await call(app, token);
    expect(result.ok).toBe(true);
  });

  it('refuses an HS token signed with the RSA public key when RS256 is configured (key confusion)', async () => {
    const { app } = appWith({ jwt: { publicKey: rsaPublicPem, algorithm: 'RS256' }, authFailureThrottle: false });
    const confused = forge({ alg: 'HS256' }, { sub: 'mallory', exp: nowSeconds() + 60 }, rsaPublicPem);
    const result = await call(app, confused);
    expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
    expect(reasonOf(result)).toBe('algorithm');
  });

  it('refuses an ES256 token when RS256 is configured', async () => {
    const { app } = appWith({ jwt: { publicKey: rsaPublicPem, algorithm: 'RS256' }, authFailureThrottle: false });
    const token = createAccessToken({ subject: 'a', key: ec('prime256v1').privateKey, algorithm: 'ES256' });
    expect(reasonOf(await call(app, token))).toBe('algorithm');
  });
});

describe('critical header parameters (RFC 7515 §4.1.11)', () => {
  const { app } = appWith({ jwt: { secret: SECRET }, authFailureThrottle: false });
  const claims = () => ({ sub: 'alice', exp: nowSeconds() + 60 });

  it.each([
    ['an unknown extension', { alg: 'HS256', crit: ['urn:example:ext'], 'urn:example:ext': true }],
    ['a registered parameter', { alg: 'HS256', crit: ['exp'], exp: 1 }],
    ['an empty list', { alg: 'HS256', crit: [] }],
    ['a value that is not a list', { alg: 'HS256', crit: 'b64', b64: false }],
  ])('refuses a correctly signed token whose crit names %s', async (_name, header) => {
    const result = await call(app, forge(header, claims(), SECRET));
    expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
    expect(reasonOf(result)).toBe('crit_unsupported');
  });

  it('accepts the same token without crit', async () => {
    expect((await call(app, forge({ alg: 'HS256' }, claims(), SECRET))).ok).toBe(true);
  });
});

describe('principal ids are identifiers', () => {
  const { app } = appWith({ jwt: { secret: SECRET }, authFailureThrottle: false });

  it.each([
    ['a lone surrogate', 'vic\ud800'],
    ['a control character', 'vic\u0007'],
    ['129 characters', 'v'.repeat(129)],
  ])('refuses a token whose sub has %s', async (_name, sub) => {
    const result = await call(app, createAccessToken({ subject: sub, key: SECRET }));
    expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
    expect(reasonOf(result)).toBe('invalid_subject');
  });

  it('accepts a sub with U+FFFD and non-Latin-1 characters, distinct from the surrogate it resembles', async () => {
    const result = await call(app, createAccessToken({ subject: 'vic\ufffd-租户', key: SECRET }));
    expect(result.ok && result.value).toMatchObject({ principal: 'vic\ufffd-租户' });
  });
});
