import { CONFORMANCE_LIMITED_CALLS } from '@nexus/core/testing';
import type { ConformanceAuth } from '@nexus/core/testing';
import type { AuditRecord } from '../audit/index.js';
import { NexusAuthPlugin } from '../plugin.js';
import { createAccessToken } from '../tokens.js';

const MAX_RECORDS = 10_000;

/** The kit's HS256 secret when none is given: fixed, so separate processes accept each other's tokens. */
export const CONFORMANCE_AUTH_SECRET = 'nexus-conformance-secret-never-use-in-production';

export interface ConformanceAuthOptions {
  readonly secret?: string;
  /** Shares the `limited` budget across processes through Redis. */
  readonly redisUrl?: string;
  readonly redisKeyPrefix?: string;
}

/** Roles of the conformance fixtures: `caller` runs everything but `admin_only`; `admin` runs everything. */
export const CONFORMANCE_RBAC = Object.freeze({
  caller: ['execute:*'],
  admin: ['*'],
});

/**
 * The auth kit for `runChannelConformance`: this package's plugin, configured for the
 * conformance fixtures, and tokens it accepts.
 * @example runChannelConformance(myChannelUnderTest, { auth: createConformanceAuth() });
 */
export function createConformanceAuth(options: ConformanceAuthOptions = {}): ConformanceAuth {
  const secret = options.secret ?? CONFORMANCE_AUTH_SECRET;
  const records: AuditRecord[] = [];
  const keep = (record: AuditRecord) => {
    // Bounded: a long-running conformance process must not grow without limit.
    if (records.length >= MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS + 1);
    records.push(record);
  };
  return {
    plugins() {
      return [
        new NexusAuthPlugin({
          jwt: { secret, issuer: 'nexus-conformance', audience: 'nexus' },
          rbac: CONFORMANCE_RBAC,
          tenantIsolation: { jwtClaim: 'tenant_id', adminRole: 'admin' },
          audit: { backend: keep },
          rateLimit: {
            // Generous everywhere but `limited`, so only that case ever meets a limit.
            requestsPerMinute: 100_000,
            burstSize: 0,
            operationLimits: { limited: { requestsPerMinute: CONFORMANCE_LIMITED_CALLS, burstSize: 0 } },
            ...(options.redisUrl === undefined
              ? {}
              : { backend: 'redis' as const, redisUrl: options.redisUrl, redisKeyPrefix: options.redisKeyPrefix ?? 'nexus:conformance:rl:' }),
          },
        }),
      ];
    },
    auditRecords() {
      return records;
    },
    token({ id, roles, tenant }) {
      return createAccessToken({ subject: id, key: secret, roles, tenant, issuer: 'nexus-conformance', audience: 'nexus', expiresIn: 3600 });
    },
    invalidToken() {
      return createAccessToken({ subject: 'user-1', key: `${secret}-but-not-the-same`, roles: ['admin'], tenant: 'tenant-a', issuer: 'nexus-conformance', audience: 'nexus' });
    },
  };
}
