import { Nexus, createMemoryJobPort } from '@nexus/core';
import type { Logger } from '@nexus/core';
import { NexusAuthPlugin } from '@nexus/auth';
import type { AuditConfig, JWTConfig } from '@nexus/auth';
import type { ReferenceConfig } from './config.js';
import { registerOperations } from './operations.js';
import { createMemoryRecordStore, createRedisRecordStore } from './record-store.js';
import type { RecordStore } from './record-store.js';
import { REDACT_FIELDS, ROLES } from './roles.js';
import { registerTenantWorkflow } from './tenant-workflow.js';
import { registerTenantReport } from './tenant-report.js';

export interface ReferenceApp {
  readonly app: Nexus;
  readonly auth: NexusAuthPlugin;
  readonly store: RecordStore;
}

function jwtConfig(config: ReferenceConfig): JWTConfig {
  const claims = {
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  };
  if (config.jwt.kind === 'jwks') return { jwksUrl: config.jwt.jwksUrl, algorithm: config.jwt.algorithm as JWTConfig['algorithm'] & string, ...claims };
  return { secret: config.jwt.secret, algorithm: config.jwt.algorithm, ...claims };
}

/**
 * The patterns document's enterprise configuration. `auditToStderr`: when stdout carries
 * MCP protocol messages (stdio), audit lines must go elsewhere. `drainDelayMs`: how long both
 * listeners keep accepting on stop while readiness is 503 (servers only; 0). `worker`: whether
 * this process runs jobs (default NEXUS_JOBS_WORKER).
 */
export async function createReferenceApp(config: ReferenceConfig, options: { logger?: Logger; auditToStderr?: boolean; drainDelayMs?: number; worker?: boolean } = {}): Promise<ReferenceApp> {
  const app = new Nexus({
    apiPort: config.apiPort,
    mcpPort: config.mcpPort,
    host: config.host,
    enableMonitoring: true,
    // Only a server behind a load balancer waits before closing; the in-process CLI stops at once.
    drainDelayMs: options.drainDelayMs ?? 0,
    drainTimeoutMs: config.drainTimeoutMs,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const audit: AuditConfig = {
    backend: config.auditFile
      ? 'file'
      : options.auditToStderr
        ? (record) => void process.stderr.write(`${JSON.stringify(record)}\n`)
        : 'logging',
    ...(config.auditFile ? { path: config.auditFile } : {}),
    onFailure: config.auditOnFailure,
    logLevel: 'info',
    logRequestBody: false,
    logResponseBody: false,
    redactFields: REDACT_FIELDS,
  };
  const auth = NexusAuthPlugin.enterprise({
    jwt: jwtConfig(config),
    rbac: ROLES,
    rateLimit: {
      requestsPerMinute: config.rateLimitRpm,
      burstSize: config.rateLimitBurst,
      backend: config.redisUrl ? 'redis' : 'memory',
      ...(config.redisUrl ? { redisUrl: config.redisUrl, redisCommandTimeoutMs: config.redisCommandTimeoutMs } : {}),
      includeHeaders: true,
      failOpen: true,
    },
    tenantIsolation: { jwtClaim: 'tenant_id', tenantIdHeader: 'X-Tenant-ID', allowAdminOverride: true, adminRole: 'admin' },
    audit,
  });
  app.addPlugin(auth);

  const store = config.redisUrl ? createRedisRecordStore(config.redisUrl) : createMemoryRecordStore();
  app.addHealthCheck('record-store', async () => {
    try {
      await store.ping();
      return { status: 'healthy' };
    } catch {
      return { status: 'unhealthy', detail: 'record store unreachable' };
    }
  });
  // A plugin only for its stop(): plugins stop after the channels have drained, so no call loses its store.
  app.addPlugin({ name: 'reference-record-store', setup() {}, stop: () => store.close() });
  registerOperations(app, store);
  registerTenantWorkflow(app);
  registerTenantReport(app);
  app.configureJobs({
    // With Redis, jobs survive restarts and any instance or `--worker` process runs them. BullMQ
    // (and its Redis driver) load only then: a CLI command without Redis starts ~250 ms sooner.
    port: config.redisUrl ? (await import('@nexus/jobs')).createBullMqJobPort({ url: config.redisUrl, ttlSeconds: config.jobTtlSeconds, queue: config.jobsQueue, lockDurationMs: config.jobLockMs, stalledIntervalMs: config.jobLockMs }) : createMemoryJobPort({ ttlSeconds: config.jobTtlSeconds }),
    worker: options.worker ?? config.jobsWorker,
    concurrency: config.workerConcurrency,
  });
  return { app, auth, store };
}
