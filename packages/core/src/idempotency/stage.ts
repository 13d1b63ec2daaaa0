import { createHash, randomUUID } from 'node:crypto';
import type { NexusContext } from '../context.js';
import { ConflictError, IdempotencyMismatchError, InvalidInputError, NexusError, UnavailableError, toNexusError } from '../errors.js';
import type { FieldError, NexusErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Next, Stage } from '../compose.js';
import type { IdempotencyStore } from './store.js';

/** What the stage needs; `Nexus` fills it from its `idempotency` option. */
export interface IdempotencySettings {
  readonly store: IdempotencyStore;
  /** How long a finished call's outcome is kept. */
  readonly ttlMs: number;
  /** Run calls without de-duplication while the store is unreachable (true); otherwise UNAVAILABLE. */
  readonly failOpen: boolean;
  /** The deadline of a call that sets no `timeoutMs`; a running claim lasts a little longer. */
  readonly defaultTimeoutMs: number;
  readonly logger: Logger;
}

/** Visible ASCII, as the IETF Idempotency-Key draft and common APIs allow; 255 like Stripe's. */
const KEY = /^[\x21-\x7e]{1,255}$/;
/** A claim outlives the call's deadline by this much, so a crashed instance does not hold a key for a day. */
const LEASE_MARGIN_MS = 60_000;
const LOG_INTERVAL_MS = 10_000;
const STORE_DOWN = new Error('idempotency_store_unavailable');

interface StoredError {
  readonly code: NexusErrorCode;
  readonly message: string;
  readonly errors?: readonly FieldError[];
  readonly retryAfter?: number;
  readonly extensions?: Readonly<Record<string, unknown>>;
}

type StoredRecord =
  | { readonly state: 'running'; readonly fingerprint: string; readonly token: string }
  | { readonly state: 'done'; readonly fingerprint: string; readonly ok: true; readonly value: unknown }
  | { readonly state: 'done'; readonly fingerprint: string; readonly ok: false; readonly error: StoredError };

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are the same input. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(`${value}n`);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return canonicalJson(withJson.toJSON());
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((key) => record[key] !== undefined && typeof record[key] !== 'function').sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

// Only JSON text is hashed: JSON.stringify escapes lone surrogates, which UTF-8 would turn into
// U+FFFD, so two ids that differ only there never share a hash.
const sha256 = (json: string) => createHash('sha256').update(json).digest('base64url');

/** The store key: one caller's key for one operation in one tenant, never another's. */
function scopeOf(ctx: NexusContext, key: string): string {
  // Without a principal, only what the channel observed itself: never a value the caller chose.
  const caller = ctx.principal !== undefined ? `p:${ctx.principal.id}` : `a:${ctx.clientAddress ?? 'local'}`;
  return sha256(JSON.stringify([caller, ctx.tenant?.id ?? null, ctx.operation, key]));
}

/** Outcomes a retry must see again: the caller's own mistakes and refusals (4xx), not failures or cancellations. */
function keeps(error: NexusError): boolean {
  return error.status < 500 && error.code !== 'CANCELLED';
}

function stored(error: NexusError): StoredError {
  return {
    code: error.code,
    message: error.message,
    ...(error.errors === undefined ? {} : { errors: error.errors }),
    ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
    ...(error.extensions === undefined ? {} : { extensions: error.extensions }),
  };
}

/**
 * The idempotency stage: after authorization and validation (refused calls store nothing), the
 * first outcome of a caller's key is stored; a retry with the same input gets it back without
 * running the handler again, another input is IDEMPOTENCY_MISMATCH, and a retry while the first
 * call runs is CONFLICT. Read-only operations ignore the key.
 */
export function createIdempotencyStage(settings: IdempotencySettings): Stage {
  const { store, ttlMs, failOpen, logger } = settings;
  let lastLogged = 0;
  const storeFailed = (error: unknown, during: string) => {
    const at = Date.now();
    if (at - lastLogged < LOG_INTERVAL_MS) return;
    lastLogged = at;
    logger.warn('idempotency store error', { during, failOpen, error: error instanceof Error ? error.message : String(error) });
  };
  const settle = async (action: Promise<void>, during: string) => {
    try {
      await action;
    } catch (error) {
      // The call has run; its answer stands. A leftover claim expires with its lease.
      storeFailed(error, during);
    }
  };

  // Calls without a key pass straight on: no promise of this stage's own.
  return function idempotency(ctx, next) {
    const key = ctx.transport.idempotencyKey;
    if (key === undefined || ctx.definition?.annotations.readOnly === true) return next();
    return keyed(ctx, next, key);
  };

  async function keyed(ctx: NexusContext, next: Next, key: string): Promise<unknown> {
    if (!KEY.test(key)) throw new InvalidInputError('The idempotency key must be 1 to 255 visible ASCII characters.');
    const scope = scopeOf(ctx, key);
    const fingerprint = sha256(canonicalJson(ctx.input));
    const running = JSON.stringify({ state: 'running', fingerprint, token: randomUUID() } satisfies StoredRecord);
    const leaseMs = (ctx.definition?.timeoutMs ?? settings.defaultTimeoutMs) + LEASE_MARGIN_MS;

    let held: StoredRecord | undefined;
    try {
      const existing = await store.claim(scope, running, leaseMs);
      held = existing === undefined ? undefined : (JSON.parse(existing) as StoredRecord);
    } catch (error) {
      storeFailed(error, 'claim');
      // Open: the call runs as if no key was sent (never reported as a replay). Closed: refused.
      if (failOpen) return next();
      throw new UnavailableError(undefined, { cause: STORE_DOWN });
    }
    if (held !== undefined) return replay(ctx, held, fingerprint);

    let value: unknown;
    try {
      value = await next();
    } catch (thrown) {
      const error = toNexusError(thrown);
      if (keeps(error)) {
        const record: StoredRecord = { state: 'done', fingerprint, ok: false, error: stored(error) };
        await settle(store.complete(scope, running, JSON.stringify(record), ttlMs), 'complete');
      } else {
        await settle(store.release(scope, running), 'release');
      }
      throw thrown;
    }
    const record: StoredRecord = { state: 'done', fingerprint, ok: true, value: value ?? null };
    await settle(store.complete(scope, running, JSON.stringify(record), ttlMs), 'complete');
    return value;
  }
}

function replay(ctx: NexusContext, held: StoredRecord, fingerprint: string): unknown {
  if (held.fingerprint !== fingerprint) throw new IdempotencyMismatchError();
  if (held.state === 'running') throw new ConflictError('A call with this idempotency key is still running; retry when it has finished.');
  ctx.annotations.idempotency = { replayed: true };
  if (held.ok) return held.value;
  const { code, message, ...options } = held.error;
  throw new NexusError(code, message, options);
}
