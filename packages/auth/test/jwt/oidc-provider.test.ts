import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import Provider from 'oidc-provider';
import type { Nexus } from '@nexus/core';
import { appWith, call, reasonOf } from '../helpers.js';

const RESOURCE = 'urn:nexus:api';
const CLIENT = { client_id: 'reporting-service', client_secret: 'a-client-secret-long-enough-for-tests-0123456789' };

/** A certified OpenID provider on 127.0.0.1 issuing RFC 9068 JWT access tokens (client credentials). */
async function startProvider(): Promise<{ issuer: string; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [{ ...CLIENT, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] }],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'provider-key-1', alg: 'RS256', use: 'sig' }] },
    ttl: { ClientCredentials: 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'read:reports', audience: RESOURCE, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'RS256' } } }),
      },
    },
  });
  server.on('request', provider.callback());
  return { issuer, server };
}

async function clientCredentialsToken(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read:reports', resource: RESOURCE }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

describe('tokens from a real OpenID provider', () => {
  let issuer = '';
  let server: Server;
  let app: Nexus;

  beforeAll(async () => {
    // The provider announces that its in-memory adapter is for development; that is what a test wants.
    const quiet = jest.spyOn(console, 'warn').mockImplementation(() => {});
    ({ issuer, server } = await startProvider());
    quiet.mockRestore();
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) })).json()) as { jwks_uri: string };
    ({ app } = appWith({
      jwt: { jwksUrl: discovery.jwks_uri, algorithm: 'RS256', issuer, audience: RESOURCE },
      // Client-credentials tokens carry no roles: the default role grants, the scope narrows it.
      rbac: { service: ['read:*', 'execute:*'] },
      rbacDefaultRole: 'service',
      authFailureThrottle: false,
    }));
  }, 15_000);

  afterAll(async () => {
    await app?.stop();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('verifies a JWT access token through the provider\'s JWKS and narrows its roles to its scope', async () => {
    const token = await clientCredentialsToken(issuer);
    const result = await call(app, token, { operation: 'reports' });
    expect(result.ok).toBe(true);
    expect(result.annotations.principal?.id).toBe(CLIENT.client_id);
    expect(result.annotations.principal?.permissions).toContain('read:reports');
    // execute:* is the role's, but outside the token's scope.
    const outside = await call(app, token, { operation: 'whoami' });
    expect(!outside.ok && outside.error.code).toBe('FORBIDDEN');
  });

  it('refuses the provider\'s token when another audience is required', async () => {
    const { app: strict } = appWith({
      jwt: { jwksUrl: `${issuer}/jwks`, algorithm: 'RS256', issuer, audience: 'urn:other:api' },
      authFailureThrottle: false,
    });
    const result = await call(strict, await clientCredentialsToken(issuer));
    expect(reasonOf(result)).toBe('bad_audience');
    await strict.stop();
  });
});
