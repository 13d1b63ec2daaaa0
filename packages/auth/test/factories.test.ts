import { describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import { NexusAuthPlugin } from '../src/plugin.js';
import type { AuditConfig } from '../src/audit/config.js';
import { SECRET } from './helpers.js';

/**
 * Each factory call of the patterns document, in camelCase and otherwise as written: the
 * options a call leaves out take their defaults, so every one builds and sets up.
 */
const jwt = { secret: SECRET };
const CALLS: Array<[section: string, build: () => NexusAuthPlugin]> = [
  ['SSO across channels', () => NexusAuthPlugin.basicAuth({
    jwt: { algorithm: 'RS256', jwksUrl: 'https://sso.company.com/.well-known/jwks.json', jwksCacheTtl: 3600, issuer: 'https://sso.company.com', audience: 'nexus-platform' },
  })],
  ['RBAC', () => NexusAuthPlugin.saasApp({
    jwt,
    rbac: { executive: ['read:dashboards', 'read:reports', 'read:status'], developer: ['read:*', 'write:*', 'execute:*'], operator: ['read:health', 'execute:monitoring', 'execute:deploy'], admin: ['*'] },
  })],
  ['ABAC middleware', () => NexusAuthPlugin.basicAuth({ jwt })],
  ['tenant isolation', () => NexusAuthPlugin.enterprise({
    jwt,
    rbac: { admin: ['*'], tenant_admin: ['read:*', 'write:*'], tenant_user: ['read:*'] },
    tenantIsolation: { tenantIdHeader: 'X-Tenant-ID', jwtClaim: 'tenant_id', allowAdminOverride: true, adminRole: 'admin', excludePaths: ['/health', '/docs'] },
    rateLimit: { requestsPerMinute: 10000, routeLimits: { '/workflows/*': { requestsPerMinute: 1000 } } },
    audit: { backend: 'logging', logLevel: 'INFO' },
  })],
  ['audit logging', () => NexusAuthPlugin.enterprise({
    jwt,
    rbac: { admin: ['*'], user: ['read:*'] },
    audit: {
      backend: 'logging', logLevel: 'INFO', logRequestBody: false, logResponseBody: false,
      excludePaths: ['/health', '/metrics'], redactHeaders: ['Authorization', 'Cookie'], redactFields: ['password', 'token', 'api_key'],
    },
  })],
  ['load balancing', () => NexusAuthPlugin.enterprise({
    jwt,
    rbac: { admin: ['*'], operator: ['read:*', 'execute:*'] },
    rateLimit: { requestsPerMinute: 1000, backend: 'redis', redisUrl: 'redis://127.0.0.1:6379' },
  })],
  ['GDPR', () => NexusAuthPlugin.enterprise({
    jwt,
    rbac: { admin: ['*'], dpo: ['read:*', 'delete:*'], user: ['read:own'] },
    audit: { backend: 'logging', logLevel: 'INFO', redactFields: ['password', 'ssn', 'credit_card'] },
  })],
  ['HIPAA', () => NexusAuthPlugin.enterprise({
    jwt: { secret: SECRET, verifyExp: true },
    rbac: { admin: ['*'], physician: ['read:phi', 'write:phi'], nurse: ['read:phi'], billing: ['read:billing'] },
    tenantIsolation: { jwtClaim: 'organization_id', adminRole: 'admin' },
    audit: { backend: 'logging', logLevel: 'INFO', logRequestBody: false, logResponseBody: false, redactFields: ['ssn', 'dob', 'diagnosis', 'medication'] },
  })],
  ['rate limiting', () => NexusAuthPlugin.enterprise({
    jwt,
    rbac: { admin: ['*'], user: ['read:*', 'execute:*'] },
    rateLimit: {
      requestsPerMinute: 100, burstSize: 20, backend: 'redis', redisUrl: 'redis://localhost:6379',
      routeLimits: { '/health': null }, includeHeaders: true, failOpen: true,
    },
  })],
];

describe('the patterns document factory calls', () => {
  it.each(CALLS)('builds and sets up the %s call with only the options it passes', (_section, build) => {
    const plugin = build();
    expect(() => new Nexus({ logger: silentLogger }).addPlugin(plugin)).not.toThrow();
  });

  it('defaults what a call leaves out: enterprise rate-limits and audits, saasApp isolates tenants', () => {
    const enterprise = NexusAuthPlugin.enterprise({ jwt, rbac: { admin: ['*'] } });
    expect(enterprise.options).toMatchObject({ rateLimit: {}, audit: {} });
    expect(enterprise.tenant).toBeUndefined();
    const saas = NexusAuthPlugin.saasApp({ jwt, rbac: { admin: ['*'] } });
    expect(saas.tenant).toMatchObject({ jwtClaim: 'tenant_id', required: true });
    expect(NexusAuthPlugin.basicAuth({ jwt }).rbac).toBeUndefined();
  });

  it.each(['INFO', 'info', 'DEBUG', 'WARNING', 'warn', 'ERROR', 'CRITICAL'] as const)('accepts logLevel %s', (logLevel) => {
    expect(() => NexusAuthPlugin.basicAuth({ jwt, audit: { logLevel } })).not.toThrow();
  });

  it('still refuses a log level that is none of them, naming the accepted ones', () => {
    expect(() => NexusAuthPlugin.basicAuth({ jwt, audit: { logLevel: 'LOUD' } as unknown as AuditConfig })).toThrow(/logLevel must be one of/);
  });

  it('still needs jwt and, where it is the point of the factory, rbac', () => {
    expect(() => NexusAuthPlugin.enterprise({ jwt } as never)).toThrow(/enterprise\(\) needs rbac/);
    expect(() => NexusAuthPlugin.saasApp({} as never)).toThrow(/saasApp\(\) needs jwt/);
  });
});
