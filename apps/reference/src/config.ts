import { randomBytes } from 'node:crypto';

/** Everything the reference app reads from its environment, checked once at start-up. */
export interface ReferenceConfig {
  readonly mode: 'dev' | 'production';
  readonly jwt:
    | { readonly kind: 'secret'; readonly secret: string; readonly algorithm: SecretAlgorithm }
    | { readonly kind: 'jwks'; readonly jwksUrl: string; readonly algorithm: string };
  readonly issuer: string | undefined;
  readonly audience: string | string[] | undefined;
  readonly redisUrl: string | undefined;
  /** Jobs this process works at once (NEXUS_WORKER_CONCURRENCY). */
  readonly workerConcurrency: number;
  /** Whether a server also works jobs (NEXUS_JOBS_WORKER, 0 turns it off). */
  readonly jobsWorker: boolean;
  /** Seconds a finished job stays readable (NEXUS_JOB_TTL). */
  readonly jobTtlSeconds: number;
  /** The BullMQ queue every instance and worker of one deployment shares (NEXUS_JOBS_QUEUE). */
  readonly jobsQueue: string;
  /** How long a dead worker's job stays locked before another takes it, in ms (NEXUS_JOB_LOCK_MS). */
  readonly jobLockMs: number;
  /** Longest wait for one Redis command (rate limits, idempotency keys) before it counts as failed. */
  readonly redisCommandTimeoutMs: number;
  readonly apiPort: number;
  readonly mcpPort: number;
  readonly host: string;
  readonly rateLimitRpm: number;
  readonly rateLimitBurst: number;
  readonly auditFile: string | undefined;
  /** While audit records cannot be written: serve and count (`fail-open`) or refuse with 503 (`fail-closed`). */
  readonly auditOnFailure: 'fail-open' | 'fail-closed';
  readonly trustProxy: string[];
  /** Origins browsers may call both listeners from (CORS); empty: off. */
  readonly corsOrigins: string[] | '*';
  /** Host names the MCP listener accepts besides loopback ones (DNS-rebinding check behind a proxy). */
  readonly mcpAllowedHosts: string[];
  /** The base URL clients reach MCP at, for the protected-resource metadata and the 401 challenge. */
  readonly publicMcpUrl: string | undefined;
  /**
   * On SIGTERM every listener (API and MCP) keeps accepting this long (readiness already 503)
   * before it closes: closing at once resets connections the kernel accepted but the process had not yet read.
   */
  readonly drainDelayMs: number;
  /** How long running calls and jobs get to finish on stop (NEXUS_DRAIN_TIMEOUT_MS). */
  readonly drainTimeoutMs: number;
}

const SECRET_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export type SecretAlgorithm = (typeof SECRET_ALGORITHMS)[number];

/** A configuration mistake the operator must fix; main() prints it and exits non-zero. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function secretAlgorithm(env: NodeJS.ProcessEnv): SecretAlgorithm {
  const raw = optional(env, 'NEXUS_JWT_ALGORITHM') ?? 'HS256';
  if (!(SECRET_ALGORITHMS as readonly string[]).includes(raw)) {
    throw new ConfigError(`NEXUS_JWT_ALGORITHM must be HS256, HS384 or HS512 with NEXUS_JWT_SECRET, got "${raw}"`);
  }
  return raw as SecretAlgorithm;
}

function publicUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw new ConfigError(`${name} must be an http(s) URL without query or fragment, like https://mcp.example.com, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function auditOnFailure(env: NodeJS.ProcessEnv): 'fail-open' | 'fail-closed' {
  const raw = optional(env, 'NEXUS_AUDIT_ON_FAILURE') ?? 'fail-open';
  if (raw !== 'fail-open' && raw !== 'fail-closed') throw new ConfigError(`NEXUS_AUDIT_ON_FAILURE must be fail-open or fail-closed, got "${raw}"`);
  return raw;
}

function corsOrigins(env: NodeJS.ProcessEnv): string[] | '*' {
  const raw = optional(env, 'NEXUS_CORS_ORIGINS');
  if (raw === undefined) return [];
  if (raw === '*') return '*';
  const origins = raw.split(',').map((part) => part.trim()).filter(Boolean);
  const bad = origins.find((origin) => !/^https?:\/\/[^/?#\s]+$/i.test(origin));
  if (bad !== undefined) throw new ConfigError(`NEXUS_CORS_ORIGINS must be "*" or comma-separated origins like https://app.example.com (no path), got "${bad}"`);
  return origins;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ReferenceConfig {
  const secret = optional(env, 'NEXUS_JWT_SECRET');
  const jwksUrl = optional(env, 'NEXUS_JWKS_URL');
  if (secret && jwksUrl) {
    throw new ConfigError('set NEXUS_JWT_SECRET (HS256) or NEXUS_JWKS_URL (RS/ES via JWKS), not both');
  }
  if (secret !== undefined && Buffer.byteLength(secret) < 32) {
    throw new ConfigError('NEXUS_JWT_SECRET must be at least 32 bytes; generate one with `openssl rand -base64 48`');
  }
  const audience = optional(env, 'NEXUS_JWT_AUDIENCE');
  return {
    mode: secret || jwksUrl ? 'production' : 'dev',
    jwt: jwksUrl
      ? { kind: 'jwks', jwksUrl, algorithm: optional(env, 'NEXUS_JWT_ALGORITHM') ?? 'RS256' }
      : { kind: 'secret', secret: secret ?? randomBytes(48).toString('base64url'), algorithm: secretAlgorithm(env) },
    issuer: optional(env, 'NEXUS_JWT_ISSUER'),
    audience: audience?.includes(',') ? audience.split(',').map((part) => part.trim()).filter(Boolean) : audience,
    redisUrl: optional(env, 'REDIS_URL'),
    redisCommandTimeoutMs: integer(env, 'NEXUS_REDIS_COMMAND_TIMEOUT_MS', 250, 1, 60_000),
    workerConcurrency: integer(env, 'NEXUS_WORKER_CONCURRENCY', 4, 1, 1_000),
    jobsWorker: integer(env, 'NEXUS_JOBS_WORKER', 1, 0, 1) === 1,
    jobTtlSeconds: integer(env, 'NEXUS_JOB_TTL', 86_400, 1, 31_536_000),
    jobsQueue: optional(env, 'NEXUS_JOBS_QUEUE') ?? 'nexus-jobs',
    jobLockMs: integer(env, 'NEXUS_JOB_LOCK_MS', 30_000, 500, 600_000),
    apiPort: integer(env, 'NEXUS_API_PORT', 8000, 0, 65535),
    mcpPort: integer(env, 'NEXUS_MCP_PORT', 3001, 0, 65535),
    host: optional(env, 'NEXUS_HOST') ?? '127.0.0.1',
    rateLimitRpm: integer(env, 'NEXUS_RATE_LIMIT_RPM', 1000, 1, 10_000_000),
    rateLimitBurst: integer(env, 'NEXUS_RATE_LIMIT_BURST', 20, 0, 10_000_000),
    auditFile: optional(env, 'NEXUS_AUDIT_FILE'),
    auditOnFailure: auditOnFailure(env),
    drainDelayMs: integer(env, 'NEXUS_DRAIN_DELAY_MS', 500, 0, 60_000),
    drainTimeoutMs: integer(env, 'NEXUS_DRAIN_TIMEOUT_MS', 10_000, 0, 3_600_000),
    trustProxy: (optional(env, 'NEXUS_TRUST_PROXY') ?? '').split(',').map((part) => part.trim()).filter(Boolean),
    corsOrigins: corsOrigins(env),
    mcpAllowedHosts: (optional(env, 'NEXUS_MCP_ALLOWED_HOSTS') ?? '').split(',').map((part) => part.trim()).filter(Boolean),
    publicMcpUrl: publicUrl(env, 'NEXUS_PUBLIC_MCP_URL'),
  };
}
