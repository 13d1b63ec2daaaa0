import { open } from 'node:fs/promises';
import { ERROR_STATUS, NexusSetupError, UnavailableError, outcomeOf, toNexusError } from '@nexus/core';
import type { HealthCheck, Nexus, NexusContext, Outcome, Stage } from '@nexus/core';
import { compileGlob } from '../rate-limit/glob.js';
import { resolveAuditConfig } from './config.js';
import type { AuditConfig, AuditLogLevel, AuditRecord } from './config.js';
import { capBody, fieldMatcher, redactHeaders, redactPath, redactValue } from './redact.js';
import { createSink } from './sink.js';
import type { AuditDropReason } from './sink.js';

/** The audit stage and its sink; the auth plugin registers `stage` in the `observe` phase. */
export interface AuditorHandle {
  readonly stage: Stage;
  /** Checks the sink can be written (an audit file that cannot be opened stops start-up). */
  start(): Promise<void>;
  /** Flushes pending records and closes the sink. */
  stop(): Promise<void>;
  /** Reopens the audit file (after log rotation moved it); a no-op for other backends. */
  reopen(): Promise<void>;
  /** `unhealthy` while records cannot be written. */
  readonly health: HealthCheck;
}

const RANK: Record<AuditLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const LEVEL_OF: Record<Outcome, AuditLogLevel> = { allowed: 'info', denied: 'warn', rate_limited: 'warn', invalid: 'warn', error: 'error' };
const REASON_WORD = /^[A-Za-z0-9_.:-]{1,64}$/;
const LOG_INTERVAL_MS = 10_000;
const AUDIT_DOWN = new Error('audit_unavailable');

function reasonOf(thrown: unknown): string {
  const error = toNexusError(thrown);
  // An internal error's cause may hold anything (connection strings, user data): never recorded.
  if (error.code === 'INTERNAL') return 'internal';
  const cause = error.cause;
  return cause instanceof Error && REASON_WORD.test(cause.message) ? cause.message : error.code.toLowerCase();
}

/**
 * Builds the audit stage: one record per invocation, written in `finally` (also for refusals
 * and failures), redacted on a copy before the sink. Bad options throw NexusSetupError
 * (NEXUS_ERR_AUDIT_CONFIG).
 */
export function createAuditor(config: AuditConfig, app: Nexus): AuditorHandle {
  const resolved = resolveAuditConfig(config);
  const logger = app.logger.child({ component: 'audit' });
  const threshold = RANK[resolved.logLevel];
  const replacement = resolved.redactReplacement;
  const isSecret = fieldMatcher(resolved.redactFields);
  const secretHeaders = new Set(resolved.redactHeaders);
  const excludes = resolved.excludePaths.map(compileGlob);
  const excludedCache = new Map<string, boolean>();

  let lastLogged = 0;
  const report = (error: unknown, lost: number) => {
    const at = Date.now();
    if (at - lastLogged < LOG_INTERVAL_MS) return;
    lastLogged = at;
    logger.error('audit records cannot be written', { error: error instanceof Error ? error.message : String(error), lost });
  };
  const dropped = (reason: AuditDropReason, count: number, error?: unknown) => {
    app.metrics.auditRecordsDropped.inc({ reason }, count);
    if (error === undefined) return;
    app.metrics.auditSinkErrors.inc();
    report(error, count);
  };
  const sink = createSink(resolved, { dropped, recovered: () => logger.info('audit records are written again') });
  // A record the stage failed to build is as lost as one the disk refused.
  const sinkFailed = (error: unknown) => dropped('sink_error', 1, error);
  const failClosed = resolved.onFailure === 'fail-closed';
  let stopped = false;

  // The target's own `audit: false` first; the path list only ever names native routes, by their real path.
  const excluded = (ctx: NexusContext): boolean => {
    if (ctx.policy.audit === false) return true;
    if (excludes.length === 0 || ctx.purpose === 'invoke') return false;
    const path = ctx.transport.path?.split('?')[0];
    if (path === undefined) return false;
    let hit = excludedCache.get(path);
    if (hit === undefined) {
      hit = excludes.some((pattern) => pattern.test(path));
      if (excludedCache.size >= 1_024) excludedCache.clear();
      excludedCache.set(path, hit);
    }
    return hit;
  };

  const body = (value: unknown): { body: unknown; truncated: boolean } =>
    capBody(redactValue(value, isSecret, replacement), resolved.maxBodyLogSize);

  const emit = (ctx: NexusContext, failed: boolean, value: unknown, thrown: unknown) => {
    const code = failed ? toNexusError(thrown).code : undefined;
    const outcome: Outcome = code === undefined ? 'allowed' : outcomeOf(code);
    const level = LEVEL_OF[outcome];
    if (RANK[level] < threshold) return;
    const durationMs = performance.now() - ctx.startedAt;
    const { principal, tenant } = ctx.annotations;
    const transport = ctx.transport;
    const record: Record<string, unknown> = {
      timestamp: new Date(Date.now() - durationMs).toISOString(),
      requestId: ctx.requestId,
      channel: ctx.channel,
      operation: ctx.operation,
      status: code === undefined ? 200 : ERROR_STATUS[code],
      outcome,
      reason: failed ? reasonOf(thrown) : null,
      principal: principal?.id ?? null,
      roles: principal?.roles ?? [],
      tenant: tenant?.id ?? null,
      tenantOverride: tenant?.source === 'override',
      clientAddress: ctx.clientAddress ?? null,
      durationMs: Math.round(durationMs * 1000) / 1000,
    };
    if (transport.method !== undefined) record.method = transport.method;
    if (transport.path !== undefined) record.path = redactPath(transport.path, isSecret, replacement);
    if (transport.requestedTenant !== undefined) record.requestedTenant = transport.requestedTenant;
    if (ctx.traceparent !== undefined) record.traceparent = ctx.traceparent;
    // A job leaves two records under one requestId: its submission and its completion.
    const job = ctx.annotations.job;
    if (job !== undefined) {
      record.operationId = job.operationId;
      record.phase = job.phase;
    }
    if (transport.headers !== undefined) record.headers = redactHeaders(transport.headers, secretHeaders, isSecret, replacement);
    const bodies = ctx.policy.audit !== 'metadata-only';
    if (bodies && resolved.logRequestBody) {
      const request = body(ctx.input);
      record.requestBody = request.body;
      if (request.truncated) record.bodyTruncated = true;
    }
    if (bodies && resolved.logResponseBody && !failed) {
      const response = body(value);
      record.responseBody = response.body;
      if (response.truncated) record.bodyTruncated = true;
    }
    sink.write(level, record as unknown as AuditRecord);
  };

  const stage: Stage = async function audit(ctx, next) {
    if (stopped || excluded(ctx)) return next();
    let failed = false;
    let value: unknown;
    let thrown: unknown;
    try {
      // Fail-closed: no call runs while its audit record could not be kept (its refusal is still tried).
      if (failClosed && sink.failure !== undefined) throw new UnavailableError(undefined, { cause: AUDIT_DOWN });
      value = await next();
      return value;
    } catch (error) {
      failed = true;
      thrown = error;
      throw error;
    } finally {
      try {
        emit(ctx, failed, value, thrown);
      } catch (error) {
        sinkFailed(error);
      }
    }
  };

  return {
    stage,
    async start() {
      if (resolved.backend !== 'file') return;
      try {
        await (await open(resolved.path!, 'a')).close();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new NexusSetupError('NEXUS_ERR_AUDIT_CONFIG', `the audit file ${resolved.path} cannot be opened for appending (${code})`);
      }
    },
    async stop() {
      stopped = true;
      await sink.close();
    },
    reopen: () => sink.reopen(),
    health: () => {
      const failure = sink.failure;
      return failure === undefined
        ? { status: 'healthy' }
        : { status: 'unhealthy', detail: `audit records cannot be written (${failure})`, onFailure: resolved.onFailure };
    },
  };
}
