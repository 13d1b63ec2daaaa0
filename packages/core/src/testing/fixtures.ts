import { z } from 'zod';
import { Nexus } from '../nexus.js';
import type { Plugin } from '../plugin.js';
import { silentLogger } from '../logger.js';

/** A secret the `explode` operation puts in its error; it must never reach a caller. */
export const CONFORMANCE_SECRET = 'hunter2-do-not-leak';
/** Calls per minute the auth kit must allow on `limited` (a burst of 0). */
export const CONFORMANCE_LIMITED_CALLS = 2;

/**
 * What an auth implementation provides so the conformance suite can check its decisions
 * on every channel. Roles: `caller` may execute every fixture operation except `admin_only`
 * (permission `admin:only`); `admin` may do everything. `limited` admits
 * CONFORMANCE_LIMITED_CALLS calls per principal per minute (limit group `limited`, which
 * `limited_too` declares too); `unaudited` declares `audit: false`; `tenantless` declares
 * `tenantRequired: false`, and every other operation needs a tenant.
 */
export interface ConformanceAuth {
  plugins(): Plugin[];
  /**
   * Audit records the kit's plugins have written so far, oldest first. When present, the suite
   * checks one record per call on channels that share the app with the test (`sharedApp`).
   */
  auditRecords?(): readonly ConformanceAuditRecord[];
  /** A credential the kit's plugins accept; `tenant: ''` is one that names no tenant. */
  token(principal: { id: string; roles: string[]; tenant: string }): string | Promise<string>;
  invalidToken(): string | Promise<string>;
}

/** The audit fields the suite compares (the audit record's field names; a record may carry more). */
export interface ConformanceAuditRecord {
  readonly requestId: string;
  readonly operation: string;
  readonly status: number;
  readonly outcome: string;
  readonly principal: string | null;
}

/**
 * Counts `wait_for_cancel` handlers that started and handler signals that aborted; both are read
 * back through the `cancellations` operation (`{ count, started }`), also from another process.
 */
export interface ConformanceProbe {
  cancellations: number;
  started: number;
}

export interface ConformanceApp {
  readonly app: Nexus;
  readonly probe: ConformanceProbe;
}

function untilAborted(signal: AbortSignal, probe: ConformanceProbe): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => {
      probe.cancellations++;
      reject(signal.reason);
    }, { once: true });
  });
}

/**
 * The app every channel is tested against. Exported so a channel whose app lives in another
 * process (an in-process CLI, say) can build the very same one there.
 */
export function createConformanceApp(options: { auth?: ConformanceAuth; nexus?: ConstructorParameters<typeof Nexus>[0] } = {}): ConformanceApp {
  const app = new Nexus({ logger: silentLogger, ...options.nexus });
  const probe: ConformanceProbe = { cancellations: 0, started: 0 };
  for (const plugin of options.auth?.plugins() ?? []) app.addPlugin(plugin);

  app.handler(
    'echo',
    { description: 'Returns its message.', input: z.object({ message: z.string() }), output: z.object({ message: z.string() }), annotations: { readOnly: true, idempotent: true } },
    ({ message }) => ({ message }),
  );
  // The types refuse this handler; the cast gets it past them so the run-time output check is proven too.
  app.handler('misshaped', { description: 'Returns what its output schema forbids.', input: z.object({}), output: z.object({ count: z.number() }) }, () => ({
    count: `${CONFORMANCE_SECRET} items` as unknown as number,
  }));
  app.handler(
    'strict_echo',
    { description: 'Accepts exactly a count and string tags.', input: z.strictObject({ count: z.number().int(), tags: z.array(z.string()) }) },
    (input) => input,
  );
  app.handler('explode', { description: 'Always fails with an internal error.', input: z.object({}) }, () => {
    throw new Error(`connection to postgres://admin:${CONFORMANCE_SECRET}@db failed`);
  });
  app.handler('slow', { description: 'Never finishes within its 100 ms deadline.', input: z.object({}), timeoutMs: 100 }, (_input, ctx) =>
    untilAborted(ctx.signal, probe),
  );
  app.handler('wait_for_cancel', { description: 'Runs until cancelled.', input: z.object({}), timeoutMs: 10_000 }, (_input, ctx) => {
    // The suite cancels only once this moved: a cancel that lands earlier never reaches a handler.
    probe.started++;
    return untilAborted(ctx.signal, probe);
  });
  app.handler('cancellations', { description: 'How many wait_for_cancel handlers started, and how many handler signals aborted.', input: z.object({}) }, () => ({
    count: probe.cancellations,
    started: probe.started,
  }));
  app.handler('public_ping', { description: 'Needs no credential.', input: z.object({}), public: true }, () => ({ pong: true }));
  app.handler('limited', { description: 'Rate limited to a few calls per minute.', input: z.object({}) }, () => ({ ok: true }));
  // Policy metadata: each decides the same on every channel, with no path involved.
  app.handler('limited_too', { description: 'Spends the budget of limited (its limit group).', input: z.object({}), limitGroup: 'limited' }, () => ({ ok: true }));
  app.handler('unaudited', { description: 'Never audited.', input: z.object({}), audit: false }, () => ({ ok: true }));
  app.handler('tenantless', { description: 'Served to callers without a tenant.', input: z.object({}), tenantRequired: false }, (_input, ctx) => ({ tenant: ctx.tenant?.id ?? null }));
  app.handler('admin_only', { description: 'Needs admin:only.', input: z.object({}), permission: 'admin:only' }, () => ({ ok: true }));
  app.handler('whoami', { description: 'Returns the caller as the pipeline resolved it.', input: z.object({}) }, (_input, ctx) => ({
    principal: ctx.principal?.id ?? null,
    tenant: ctx.tenant?.id ?? null,
    channel: ctx.channel,
    requestId: ctx.requestId,
  }));
  return { app, probe };
}
