import { afterEach, describe, expect, it, jest } from '@jest/globals';
import jwt from 'jsonwebtoken';
import type { Nexus } from '@nexus/core';
import type { JwtVerificationOptions } from '../../src/jwt/config.js';
import { appWith, call, nowSeconds, reasonOf } from '../helpers.js';
import { eventually } from '../rate-limit-support.js';
import { JwksServer, rsaKey } from './jwks-server.js';
import type { SigningKey } from './jwks-server.js';

const keyA = rsaKey('key-a');
const keyB = rsaKey('key-b');
const sign = (key: SigningKey, sub = 'alice', kid: string | undefined = key.kid) =>
  jwt.sign({ sub, exp: nowSeconds() + 600 }, key.privateKey, { algorithm: 'RS256', ...(kid === undefined ? {} : { keyid: kid }) });

const servers: JwksServer[] = [];
const apps: Nexus[] = [];
async function setup(keys: SigningKey[], jwtOptions: JwtVerificationOptions = {}) {
  const server = await new JwksServer().start();
  server.keys = keys;
  servers.push(server);
  const { app, plugin } = appWith({ jwt: { jwksUrl: server.url, algorithm: 'RS256', tokenCacheSize: 0, ...jwtOptions }, authFailureThrottle: false });
  apps.push(app);
  return { server, app, plugin };
}

/** Freezes Date only (timers and I/O stay real), so time moves when the test says so. */
const freezeClock = () =>
  jest.useFakeTimers({
    now: Date.now(),
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });

afterEach(async () => {
  jest.useRealTimers();
  await Promise.all(apps.splice(0).map((app) => app.stop()));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

describe('JWKS key source', () => {
  it('verifies tokens with keys fetched once and cached', async () => {
    const { server, app } = await setup([keyA, keyB]);
    expect((await call(app, sign(keyA))).ok).toBe(true);
    expect((await call(app, sign(keyB, 'bob'))).ok).toBe(true);
    expect(server.requests).toBe(1);
    expect(await app.healthCheck()).toMatchObject({ checks: { jwks: { status: 'healthy' } } });
  });

  it('shares one fetch among concurrent verifications', async () => {
    const { server, app } = await setup([keyA]);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => call(app, sign(keyA, `user-${i}`))));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(server.requests).toBe(1);
  });

  it('refetches for an unknown kid at most once per cooldown', async () => {
    const probes = Array.from({ length: 10 }, (_, i) => sign(keyB, 'mallory', `random-${i}`));
    const { server, app } = await setup([keyA], { jwksCooldown: 1 });
    // The clock stands still unless moved, so however slow the machine, the loop below stays within one cooldown.
    freezeClock();
    expect((await call(app, sign(keyA))).ok).toBe(true);
    expect(reasonOf(await call(app, sign(keyB, 'mallory', 'too-soon')))).toBe('unknown_kid');
    expect(server.requests).toBe(1);
    jest.setSystemTime(Date.now() + 1_100);
    for (const token of probes) {
      const result = await call(app, token);
      expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
      expect(reasonOf(result)).toBe('unknown_kid');
    }
    expect(server.requests).toBe(2);
  });

  it.each([
    ['a path-like kid', '../../../etc/passwd'],
    ['a very long kid', 'k'.repeat(2000)],
    ['a kid with a URL', 'https://evil.example.com/jwks.json'],
  ])('refuses %s', async (_name, kid) => {
    const { app } = await setup([keyA]);
    const result = await call(app, sign(keyA, 'mallory', kid));
    expect(!result.ok && result.error.message).toBe('Authentication is required or the credential was not accepted.');
    expect(reasonOf(result)).toBe('unknown_kid');
  });

  it('picks up a rotated key and stops accepting the retired one', async () => {
    const { server, app } = await setup([keyA], { jwksCooldown: 0, tokenCacheSize: 100 });
    const oldToken = sign(keyA);
    expect((await call(app, oldToken)).ok).toBe(true);
    server.keys = [keyB];
    expect((await call(app, sign(keyB, 'bob'))).ok).toBe(true);
    expect(server.requests).toBe(2);
    // The verified-token cache was cleared by the rotation, so the old token meets the new key set.
    expect(reasonOf(await call(app, oldToken))).toBe('unknown_kid');
  });

  it('keeps serving cached keys while the endpoint is down, and reports degraded health', async () => {
    const { server, app } = await setup([keyA], { jwksCacheTtl: 0.05, jwksCooldown: 0 });
    freezeClock();
    expect((await call(app, sign(keyA))).ok).toBe(true);
    server.mode = 'error';
    jest.setSystemTime(Date.now() + 80);
    // The keys are stale: this call refreshes behind itself, against an endpoint that fails.
    expect((await call(app, sign(keyA, 'again'))).ok).toBe(true);
    await eventually(async () => (await app.healthCheck()).checks.jwks?.status === 'degraded');
    await server.stop();
    jest.setSystemTime(Date.now() + 80);
    expect((await call(app, sign(keyA, 'once-more'))).ok).toBe(true);
    const health = await app.healthCheck();
    expect(health.checks.jwks).toMatchObject({ status: 'degraded' });
    expect(JSON.stringify(health)).not.toContain('127.0.0.1');
  });

  it('answers from cached keys without waiting for a refresh that hangs', async () => {
    // The hung refresh ends only when its 10 s timeout fires; a call that waited for it would end after that.
    const { server, app } = await setup([keyA], { jwksCacheTtl: 0.05, jwksTimeout: 10 });
    freezeClock();
    expect((await call(app, sign(keyA))).ok).toBe(true);
    server.mode = 'hang';
    jest.setSystemTime(Date.now() + 80);
    let refreshEnded = false;
    void server.hangEnds.then(() => {
      refreshEnded = true;
    });
    expect((await call(app, sign(keyA, 'during-refresh'))).ok).toBe(true);
    // The refresh did start, behind the request, and is still hanging.
    await eventually(() => server.requests === 2);
    expect(refreshEnded).toBe(false);
  });

  it('bounds a fetch that never answers and answers UNAVAILABLE without keys', async () => {
    const { server, app } = await setup([keyA], { jwksTimeout: 0.3 });
    server.mode = 'hang';
    // The endpoint never answers, so only the fetch timeout can end this call (else the test times out).
    const result = await call(app, sign(keyA));
    await server.hangEnds;
    expect(!result.ok && result.error.code).toBe('UNAVAILABLE');
    expect(reasonOf(result)).toBe('jwks_unavailable');
    expect((await app.healthCheck()).checks.jwks).toMatchObject({ status: 'unhealthy' });
  });

  it('refuses an HS256 token signed with a JWKS public key (key confusion)', async () => {
    const { app } = await setup([keyA]);
    const pem = Buffer.from(JSON.stringify(keyA.jwk));
    const confused = jwt.sign({ sub: 'mallory', exp: nowSeconds() + 60 }, pem, { algorithm: 'HS256', keyid: 'key-a' });
    expect(reasonOf(await call(app, confused))).toBe('algorithm');
  });
});
