import { afterEach, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import type { Nexus } from '@nexus/core';
import type { JWTConfig } from '../../src/jwt/config.js';
import { appWith, call, nowSeconds, reasonOf } from '../helpers.js';
import { JwksServer, rsaKey } from './jwks-server.js';
import type { SigningKey } from './jwks-server.js';

const keyA = rsaKey('key-a');
const keyB = rsaKey('key-b');
const sign = (key: SigningKey, sub = 'alice', kid: string | undefined = key.kid) =>
  jwt.sign({ sub, exp: nowSeconds() + 600 }, key.privateKey, { algorithm: 'RS256', ...(kid === undefined ? {} : { keyid: kid }) });

const servers: JwksServer[] = [];
const apps: Nexus[] = [];
async function setup(keys: SigningKey[], jwtOptions: Partial<JWTConfig> = {}) {
  const server = await new JwksServer().start();
  server.keys = keys;
  servers.push(server);
  const { app, plugin } = appWith({ jwt: { jwksUrl: server.url, algorithm: 'RS256', tokenCacheSize: 0, ...jwtOptions }, authFailureThrottle: false });
  apps.push(app);
  return { server, app, plugin };
}

afterEach(async () => {
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
    // Tokens are signed up front so the loop below takes far less than the cooldown even on a loaded machine.
    const probes = Array.from({ length: 10 }, (_, i) => sign(keyB, 'mallory', `random-${i}`));
    const { server, app } = await setup([keyA], { jwksCooldown: 1 });
    expect((await call(app, sign(keyA))).ok).toBe(true);
    expect(reasonOf(await call(app, sign(keyB, 'mallory', 'too-soon')))).toBe('unknown_kid');
    expect(server.requests).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
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
    expect((await call(app, sign(keyA))).ok).toBe(true);
    server.mode = 'error';
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await call(app, sign(keyA, 'again'))).ok).toBe(true);
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await call(app, sign(keyA, 'once-more'))).ok).toBe(true);
    const health = await app.healthCheck();
    expect(health.checks.jwks).toMatchObject({ status: 'degraded' });
    expect(JSON.stringify(health)).not.toContain('127.0.0.1');
  });

  it('answers from cached keys without waiting for a refresh that hangs', async () => {
    const { server, app } = await setup([keyA], { jwksCacheTtl: 0.05, jwksTimeout: 2 });
    expect((await call(app, sign(keyA))).ok).toBe(true);
    server.mode = 'hang';
    await new Promise((resolve) => setTimeout(resolve, 80));
    const started = Date.now();
    expect((await call(app, sign(keyA, 'during-refresh'))).ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(500);
    // The refresh did start, behind the request.
    for (let i = 0; i < 50 && server.requests < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.requests).toBe(2);
  });

  it('bounds a fetch that never answers and answers UNAVAILABLE without keys', async () => {
    const { server, app } = await setup([keyA], { jwksTimeout: 0.3 });
    server.mode = 'hang';
    const started = Date.now();
    const result = await call(app, sign(keyA));
    expect(Date.now() - started).toBeLessThan(2_000);
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
