import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';

// Loaded only when Redis is configured, so the default (in-memory) start-up skips it.
const loadIoredis = (): typeof IORedis => createRequire(import.meta.url)('ioredis') as typeof IORedis;

/** One stored version of a customer's profile. */
export interface CustomerRecord {
  readonly version: number;
  readonly profile: Record<string, unknown>;
  readonly updated_at: string;
}

/**
 * Customer records, partitioned by tenant: every method takes the tenant first, and no
 * method can reach across tenants. Memory by default; Redis so several instances share it.
 */
export interface RecordStore {
  upsert(tenant: string, userId: string, profile: Record<string, unknown>): Promise<number>;
  export(tenant: string, userId: string): Promise<CustomerRecord[]>;
  delete(tenant: string, userId: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryRecordStore(): RecordStore {
  const tenants = new Map<string, Map<string, CustomerRecord[]>>();
  const users = (tenant: string) => {
    let map = tenants.get(tenant);
    if (!map) tenants.set(tenant, (map = new Map()));
    return map;
  };
  return {
    async upsert(tenant, userId, profile) {
      const history = users(tenant).get(userId) ?? [];
      const record = { version: history.length + 1, profile: structuredClone(profile), updated_at: new Date().toISOString() };
      users(tenant).set(userId, [...history, record]);
      return record.version;
    },
    async export(tenant, userId) {
      return structuredClone(tenants.get(tenant)?.get(userId) ?? []);
    },
    async delete(tenant, userId) {
      const history = tenants.get(tenant)?.get(userId) ?? [];
      tenants.get(tenant)?.delete(userId);
      return history.length;
    },
    async ping() {},
    async close() {},
  };
}

export function createRedisRecordStore(url: string, prefix = 'nexus:ref:records:'): RecordStore {
  const { Redis } = loadIoredis();
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  redis.on('error', () => {
    // Reported through ping() and the health check; an unhandled 'error' event would crash.
  });
  // Tenant and user ids are length-prefixed so "a:b" + "c" can never collide with "a" + "b:c".
  const key = (tenant: string, userId: string) => `${prefix}${tenant.length}:${tenant}:${userId}`;
  const ready = redis.connect().catch(() => undefined);
  return {
    async upsert(tenant, userId, profile) {
      await ready;
      const record = JSON.stringify({ profile, updated_at: new Date().toISOString() });
      return redis.rpush(key(tenant, userId), record);
    },
    async export(tenant, userId) {
      await ready;
      const raw = await redis.lrange(key(tenant, userId), 0, -1);
      return raw.map((entry, index) => ({ version: index + 1, ...(JSON.parse(entry) as Omit<CustomerRecord, 'version'>) }));
    },
    async delete(tenant, userId) {
      await ready;
      const [[, length]] = (await redis.multi().llen(key(tenant, userId)).del(key(tenant, userId)).exec()) as [[unknown, number]];
      return length;
    },
    async ping() {
      await ready;
      await redis.ping();
    },
    async close() {
      redis.disconnect();
    },
  };
}
