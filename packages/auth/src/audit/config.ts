import { NexusSetupError } from '@nexus/core';
import type { JobPhase, Outcome } from '@nexus/core';
import type winston from 'winston';
import { DEFAULT_REDACT_FIELDS, DEFAULT_REDACT_HEADERS } from './redact.js';

/** One audit record per invocation, on every channel, redacted before any sink sees it. */
export interface AuditRecord {
  readonly timestamp: string;
  readonly requestId: string;
  readonly channel: string;
  readonly operation: string;
  readonly method?: string;
  /** HTTP path as sent (secret query parameters redacted); absent on channels without paths. */
  readonly path?: string;
  readonly status: number;
  readonly outcome: Outcome;
  /** Internal reason of a refusal or failure (never shown to callers); null on success. */
  readonly reason: string | null;
  readonly principal: string | null;
  readonly roles: readonly string[];
  readonly tenant: string | null;
  /** True when an administrator acted in a tenant other than their own. */
  readonly tenantOverride: boolean;
  /** The tenant the caller asked for, when it asked (also when refused). */
  readonly requestedTenant?: string;
  readonly clientAddress: string | null;
  readonly durationMs: number;
  readonly traceparent?: string;
  /**
   * On records about a job, on every channel: its id, and what the call did (its submission, its
   * completion, or a lookup or cancel of it by a caller; a refused one too).
   */
  readonly operationId?: string;
  readonly phase?: JobPhase;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly requestBody?: unknown;
  readonly responseBody?: unknown;
  /** Set when a body exceeded maxBodyLogSize and was cut. */
  readonly bodyTruncated?: true;
}

/** A sink function; a rejected promise or a throw is counted, never passed to the caller. */
export type AuditSinkFunction = (record: AuditRecord) => void | Promise<void>;

export type AuditLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The levels `logLevel` accepts: ours, and Python logging's upper-case names, so settings ported from Python work as written. */
export type AuditLogLevelName = AuditLogLevel | 'DEBUG' | 'INFO' | 'WARN' | 'WARNING' | 'warning' | 'ERROR' | 'CRITICAL' | 'critical';

/** Audit settings, named like the Python Nexus settings they port (in camelCase). */
export interface AuditConfig {
  /** `logging` (JSON lines on stdout, default), `file` (needs `path`), a winston transport, or a function. */
  readonly backend?: 'logging' | 'file' | winston.transport | AuditSinkFunction;
  readonly path?: string;
  /** Lowest level written: allowed calls log at info, refusals at warn, failures at error (info). Case-insensitive; `WARNING` = warn, `CRITICAL` = error. */
  readonly logLevel?: AuditLogLevelName;
  readonly logRequestBody?: boolean;
  readonly logResponseBody?: boolean;
  /** Characters of serialised body kept per record (10240). */
  readonly maxBodyLogSize?: number;
  /**
   * Path globs of native HTTP routes (not operations) that are not audited, matched against the
   * request path ([]).
   * @deprecated Declare `{ audit: false }` on the operation or where the route is mounted: it holds on every channel.
   */
  readonly excludePaths?: readonly string[];
  /** Header names redacted in addition to Authorization, Cookie, Set-Cookie, X-API-Key. */
  readonly redactHeaders?: readonly string[];
  /** Field names redacted at any depth in addition to the defaults (password, token, secret, ...). */
  readonly redactFields?: readonly string[];
  readonly redactReplacement?: string;
  /**
   * While records cannot be written: `fail-open` (default) serves calls, counts every lost
   * record and reports the audit check unhealthy; `fail-closed` answers UNAVAILABLE (503) instead.
   */
  readonly onFailure?: 'fail-open' | 'fail-closed';
}

export interface ResolvedAuditConfig {
  readonly backend: NonNullable<AuditConfig['backend']>;
  readonly path: string | undefined;
  readonly logLevel: AuditLogLevel;
  readonly logRequestBody: boolean;
  readonly logResponseBody: boolean;
  readonly maxBodyLogSize: number;
  readonly excludePaths: readonly string[];
  readonly redactHeaders: readonly string[];
  readonly redactFields: readonly string[];
  readonly redactReplacement: string;
  readonly onFailure: 'fail-open' | 'fail-closed';
}

const KNOWN = new Set(['backend', 'path', 'logLevel', 'logRequestBody', 'logResponseBody', 'maxBodyLogSize', 'excludePaths', 'redactHeaders', 'redactFields', 'redactReplacement', 'onFailure']);
const LEVELS: Readonly<Record<string, AuditLogLevel>> = { debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error', critical: 'error' };

const fail = (message: string): never => {
  throw new NexusSetupError('NEXUS_ERR_AUDIT_CONFIG', message);
};

function strings(name: string, value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) fail(`${name} must be a list of non-empty strings`);
  return value as string[];
}

function flag(name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') fail(`${name} must be a boolean`);
  return value === true;
}

const isTransport = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { log?: unknown }).log === 'function' && typeof (value as { on?: unknown }).on === 'function';

export function resolveAuditConfig(config: AuditConfig): ResolvedAuditConfig {
  if (typeof config !== 'object' || config === null) fail('the audit config must be an object');
  for (const key of Object.keys(config)) if (!KNOWN.has(key)) fail(`unknown option "${key}" (options: ${[...KNOWN].join(', ')})`);
  const backend = config.backend ?? 'logging';
  if (backend !== 'logging' && backend !== 'file' && typeof backend !== 'function' && !isTransport(backend)) {
    fail('backend must be "logging", "file", a winston transport or a function');
  }
  if (backend === 'file' && (typeof config.path !== 'string' || config.path.length === 0)) fail('backend "file" needs path');
  const requested: unknown = config.logLevel ?? 'info';
  const logLevel = typeof requested === 'string' && Object.hasOwn(LEVELS, requested.toLowerCase()) ? LEVELS[requested.toLowerCase()]! : undefined;
  if (logLevel === undefined) fail(`logLevel must be one of debug, info, warn (warning), error (critical), in any case (got ${String(requested)})`);
  const max = config.maxBodyLogSize ?? 10_240;
  if (!Number.isInteger(max) || max < 0) fail('maxBodyLogSize must be an integer >= 0');
  const replacement = config.redactReplacement ?? '[REDACTED]';
  if (typeof replacement !== 'string') fail('redactReplacement must be a string');
  const onFailure = config.onFailure ?? 'fail-open';
  if (onFailure !== 'fail-open' && onFailure !== 'fail-closed') fail(`onFailure must be "fail-open" or "fail-closed" (got ${String(onFailure)})`);
  for (const glob of strings('excludePaths', config.excludePaths)) if (!glob.startsWith('/')) fail(`excludePaths entry "${glob}" must start with "/"`);
  return {
    backend,
    path: config.path,
    logLevel: logLevel!,
    logRequestBody: flag('logRequestBody', config.logRequestBody),
    logResponseBody: flag('logResponseBody', config.logResponseBody),
    maxBodyLogSize: max,
    excludePaths: strings('excludePaths', config.excludePaths),
    // Configured names add to the defaults: a shorter list must never un-redact a credential.
    redactHeaders: [...DEFAULT_REDACT_HEADERS, ...strings('redactHeaders', config.redactHeaders).map((name) => name.toLowerCase())],
    redactFields: [...DEFAULT_REDACT_FIELDS, ...strings('redactFields', config.redactFields)],
    redactReplacement: replacement,
    onFailure,
  };
}
