import { describe, expect, it } from '@jest/globals';
import { isNexusSetupError } from '@nexus/core';
import { NexusAuthPlugin } from '../../src/plugin.js';
import type { NexusAuthOptions } from '../../src/plugin.js';
import { SECRET } from '../helpers.js';

function setupErrorOf(options: NexusAuthOptions): { code: string; message: string } {
  try {
    new NexusAuthPlugin(options);
  } catch (error) {
    if (isNexusSetupError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('no setup error');
}

describe('configuration is validated when the plugin is built', () => {
  it.each([
    ['a 31-byte HS secret', { jwt: { secret: 'x'.repeat(31) } }, 'NEXUS_ERR_WEAK_SECRET', /31 bytes.*at least 32/],
    ['an unknown algorithm name', { jwt: { secret: SECRET, algorithm: 'HS999' as never } }, 'NEXUS_ERR_AUTH_ALGORITHM', /HS999.*HS256/],
    ['alg none', { jwt: { secret: SECRET, algorithm: 'none' as never } }, 'NEXUS_ERR_AUTH_ALGORITHM', /none/],
    ['a secret and a JWKS URL', { jwt: { secret: SECRET, jwksUrl: 'https://id.example.com/jwks' } }, 'NEXUS_ERR_AUTH_KEY_CONFLICT', /one kind of key/],
    ['a secret with an RS algorithm', { jwt: { secret: SECRET, algorithm: 'RS256' } }, 'NEXUS_ERR_AUTH_CONFIG', /publicKey or jwksUrl/],
    ['a JWKS URL with an HS algorithm', { jwt: { jwksUrl: 'https://id.example.com/jwks', algorithm: 'HS256' } }, 'NEXUS_ERR_AUTH_CONFIG', /needs jwt.secret/],
    ['no key at all', { jwt: {} }, 'NEXUS_ERR_AUTH_CONFIG', /one of secret/],
    ['a JWKS URL that is not a URL', { jwt: { jwksUrl: 'not a url' } }, 'NEXUS_ERR_AUTH_CONFIG', /not a URL/],
    ['a public key that is not PEM', { jwt: { publicKey: 'garbage' } }, 'NEXUS_ERR_AUTH_CONFIG', /PEM/],
    ['a negative leeway', { jwt: { secret: SECRET, leeway: -1 } }, 'NEXUS_ERR_AUTH_CONFIG', /leeway/],
    ['an empty audience list', { jwt: { secret: SECRET, audience: [] } }, 'NEXUS_ERR_AUTH_CONFIG', /audience/],
    ['rbac without jwt', { rbac: { admin: ['*'] } }, 'NEXUS_ERR_AUTH_NEEDS_JWT', /need jwt/],
    ['tenant isolation without jwt', { tenantIsolation: true }, 'NEXUS_ERR_AUTH_NEEDS_JWT', /need jwt/],
    ['a default role without rbac', { jwt: { secret: SECRET }, rbacDefaultRole: 'viewer' }, 'NEXUS_ERR_AUTH_CONFIG', /rbacDefaultRole/],
    ['an inheritance cycle', { jwt: { secret: SECRET }, rbac: { a: { inherits: ['b'] }, b: { inherits: ['a'] } } }, 'NEXUS_ERR_RBAC_CYCLE', /a -> b -> a|b -> a -> b/],
    ['an unknown parent role', { jwt: { secret: SECRET }, rbac: { a: { inherits: ['ghost'] } } }, 'NEXUS_ERR_RBAC_UNKNOWN_ROLE', /ghost/],
    ['an unknown default role', { jwt: { secret: SECRET }, rbac: { a: [] }, rbacDefaultRole: 'ghost' }, 'NEXUS_ERR_RBAC_UNKNOWN_ROLE', /ghost/],
    ['a permission pattern outside the grammar', { jwt: { secret: SECRET }, rbac: { a: ['re*d:x'] } }, 'NEXUS_ERR_RBAC_PATTERN', /re\*d:x/],
    ['a bad tenant claim name', { jwt: { secret: SECRET }, tenantIsolation: { jwtClaim: '' } }, 'NEXUS_ERR_TENANT_CONFIG', /jwtClaim/],
    ['a bad rate limit', { rateLimit: { requestsPerMinute: -5 } }, 'NEXUS_ERR_RATE_LIMIT_CONFIG', /requestsPerMinute/],
    ['a zero throttle', { jwt: { secret: SECRET }, authFailureThrottle: { maxFailures: 0 } }, 'NEXUS_ERR_AUTH_CONFIG', /maxFailures/],
  ] as const)('refuses %s', (_name, options, code, message) => {
    const error = setupErrorOf(options as NexusAuthOptions);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('accepts a 32-byte secret', () => {
    expect(() => new NexusAuthPlugin({ jwt: { secret: 'x'.repeat(32) } })).not.toThrow();
  });

  it('requires jwt, and rbac where roles are the point of the factory', () => {
    expect(() => NexusAuthPlugin.enterprise({ jwt: { secret: SECRET } } as never)).toThrow(/rbac/);
    expect(() => NexusAuthPlugin.saasApp({ jwt: { secret: SECRET } } as never)).toThrow(/rbac/);
    expect(() => NexusAuthPlugin.basicAuth({} as never)).toThrow(/jwt/);
  });

  it('builds each factory from the options of the patterns document', () => {
    const jwt = { secret: SECRET };
    const rbac = { admin: ['*'], developer: ['read:*', 'write:*', 'execute:*'] };
    expect(NexusAuthPlugin.basicAuth({ jwt }).rbac).toBeUndefined();
    const saas = NexusAuthPlugin.saasApp({ jwt, rbac, tenantIsolation: { jwtClaim: 'tenant_id', adminRole: 'admin' } });
    expect(saas.tenant?.adminRole).toBe('admin');
    const enterprise = NexusAuthPlugin.enterprise({ jwt, rbac, tenantIsolation: true, rateLimit: { requestsPerMinute: 100 }, audit: { backend: () => {} } });
    expect(enterprise.tenant?.jwtClaim).toBe('tenant_id');
    expect(enterprise.tenant?.required).toBe(true);
  });

  it('exempts no path by default (routes declare public themselves), and the configured native-route globs', () => {
    const plain = new NexusAuthPlugin({ jwt: { secret: SECRET } });
    for (const path of ['/health', '/metrics', '/openapi.json', '/.well-known/oauth-protected-resource']) expect(plain.isExemptPath(path)).toBe(false);
    const configured = new NexusAuthPlugin({ jwt: { secret: SECRET, exemptPaths: ['/status', '/public/*'] } });
    for (const path of ['/status', '/status?verbose=1', '/public/logo.png']) expect(configured.isExemptPath(path)).toBe(true);
    for (const path of ['/status/extra', '/workflows']) expect(configured.isExemptPath(path)).toBe(false);
  });
});

describe('createAccessToken', () => {
  it('refuses a short HS secret and an unknown algorithm', async () => {
    const { createAccessToken } = await import('../../src/tokens.js');
    expect(() => createAccessToken({ subject: 'a', key: 'short' })).toThrow(/NEXUS_ERR_WEAK_SECRET/);
    expect(() => createAccessToken({ subject: 'a', key: SECRET, algorithm: 'none' as never })).toThrow(/NEXUS_ERR_AUTH_ALGORITHM/);
    expect(() => createAccessToken({ subject: '', key: SECRET })).toThrow(/subject/);
  });

  it('puts roles, permissions, tenant and registered claims where the verifier reads them', async () => {
    const { createAccessToken } = await import('../../src/tokens.js');
    const token = createAccessToken({ subject: 'a', key: SECRET, roles: ['r'], permissions: ['p:x'], tenant: 't', issuer: 'i', audience: 'aud', keyId: 'k1', expiresIn: 60 });
    const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'HS256', kid: 'k1' });
    expect(payload).toMatchObject({ sub: 'a', roles: ['r'], permissions: ['p:x'], tenant_id: 't', iss: 'i', aud: 'aud' });
    expect((payload!.exp as number) - (payload!.iat as number)).toBe(60);
  });
});
