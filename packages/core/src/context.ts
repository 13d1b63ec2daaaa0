import type { Logger } from './logger.js';
import type { ProgressUpdate } from './jobs/types.js';
import type { OperationDefinition } from './operation.js';
import type { Credential } from './protocol/credential.js';
import type { Policy } from './policy.js';

import type { Admission } from './admission.js';
export type { Credential } from './protocol/credential.js';

/** First-party channels are named; third-party channels pick their own name. */
export type ChannelName = 'api' | 'cli' | 'mcp' | (string & {});

export interface Principal {
  readonly id: string;
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface TenantInfo {
  readonly id: string;
  /** `override`: an administrator chose a tenant other than their own. */
  readonly source: 'claim' | 'override';
  /**
   * With `source: 'override'`, the caller's own tenant (absent when its credential names none):
   * what per-caller budgets key on, so naming another tenant never opens a fresh one.
   */
  readonly callerTenant?: string;
}

/**
 * Why the pipeline runs: to call an operation, to list what the caller may call, or to admit
 * a request to a channel-native route that is not an operation (a custom HTTP route).
 */
export type Purpose = 'invoke' | 'list' | 'route';

/** Channel-native request facts that policy may key on or audit (HTTP method, path, headers). */
export interface TransportInfo {
  readonly method?: string;
  readonly path?: string;
  /** Lower-case header names. Audit redacts them before any sink sees them. */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The tenant the caller asked for (X-Tenant-ID, --tenant, NEXUS_TENANT); unverified. */
  readonly requestedTenant?: string;
  /**
   * The caller's idempotency key (HTTP `Idempotency-Key`, MCP `_meta["nexus/idempotencyKey"]`,
   * CLI `--idempotency-key`), as sent; the pipeline checks it.
   */
  readonly idempotencyKey?: string;
}

/** Rate-limit state the channel signals natively (HTTP headers, MCP fields, CLI stderr). */
export interface RateLimitInfo {
  readonly limit: number;
  readonly remaining: number;
  /** Unix epoch seconds when the bucket is full again. */
  readonly reset: number;
}

/** What a call did to a job: `submitted`, `completed` (its run), `lookup` or `cancel`. */
export type JobPhase = 'submitted' | 'completed' | 'lookup' | 'cancel';

/**
 * Mutable annotations stages leave for the channel to render. It is the one mutable
 * part of an invocation, so the result can carry them without stages returning extra values.
 */
export interface ResponseAnnotations {
  rateLimit?: RateLimitInfo;
  tenant?: TenantInfo;
  principal?: Principal;
  /** Set when the answer is the stored outcome of an earlier call with the same idempotency key. */
  idempotency?: { readonly replayed: true };
  /**
   * The job a call is about, so audit names it on every channel: its submission, its completion,
   * and each lookup (get, or waiting for its result) and cancel of it.
   */
  job?: { readonly operationId: string; readonly phase: JobPhase };
}

/**
 * Typed extension bag. Packages augment it:
 * `declare module '@nexus/core' { interface NexusContextExtensions { myThing: MyThing } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface NexusContextExtensions {}

/** The channel-agnostic request every stage and handler sees. Stages extend it through `next(patch)`. */
export interface NexusContext {
  readonly requestId: string;
  readonly channel: ChannelName;
  readonly purpose: Purpose;
  /** The requested operation name (possibly unknown; then `definition` is undefined). */
  readonly operation: string;
  readonly definition: OperationDefinition | undefined;
  /**
   * What the target declared for policy: the operation's (`definition.policy`), a native
   * route's (given when it was mounted), or the defaults. Stages decide on it, never on a path.
   */
  readonly policy: Policy;
  readonly input: unknown;
  readonly credential: Credential;
  // Present as undefined until known: core's contexts always hold every field.
  readonly principal?: Principal | undefined;
  readonly tenant?: TenantInfo | undefined;
  readonly clientAddress?: string | undefined;
  readonly traceparent?: string | undefined;
  readonly transport: TransportInfo;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly startedAt: number;
  readonly extensions: Readonly<Partial<NexusContextExtensions>>;
  readonly annotations: ResponseAnnotations;
  /** The channel's raw request, for channel code only; policy never reads it. */
  readonly native?: unknown;
  /**
   * Handlers report progress here, as `{current, total?, message?}` (or positionally); channels
   * that can show progress subscribe, and nobody listening makes it a no-op.
   */
  readonly progress: (update: number | ProgressUpdate, total?: number, message?: string) => void;
}

/** A handler's context once authentication ran for a non-public operation: the principal is known. */
export type AuthenticatedContext = NexusContext & { readonly principal: Principal };

/**
 * Per-app facts the types cannot see (as Hono's `Env`): `authenticated: true` when an
 * authenticate stage refuses every anonymous non-public call (as `@nexus/auth` does), and
 * `extensions`, the context extensions the app's stages always set.
 * @example const app = new Nexus<{ authenticated: true; extensions: { featureFlags: Flags } }>();
 */
export interface NexusEnv {
  readonly authenticated?: boolean;
  readonly extensions?: object;
}

/** The context a handler sees: `principal` is non-optional for non-public operations of an authenticated app. */
export type HandlerContext<E extends NexusEnv = NexusEnv, P extends boolean = boolean> = (P extends true
  ? NexusContext
  : E['authenticated'] extends true
    ? AuthenticatedContext
    : NexusContext) &
  (E['extensions'] extends object ? { readonly extensions: Readonly<E['extensions']> } : unknown);

/** Fields a stage may set for the stages after it. */
export type ContextPatch = Partial<
  Pick<NexusContext, 'principal' | 'tenant' | 'input' | 'extensions' | 'signal' | 'logger'>
>;

/** What a channel hands to `invoke`: its native request mapped to neutral terms. */
export interface InvocationInit {
  readonly channel: ChannelName;
  readonly operation: string;
  readonly input?: unknown;
  readonly credential?: Credential;
  readonly requestId?: string;
  readonly clientAddress?: string;
  readonly traceparent?: string;
  readonly transport?: TransportInfo;
  readonly signal?: AbortSignal;
  readonly native?: unknown;
  /** Pauses the call after the limit phase and hands the context back to the channel (see `Admission`). */
  readonly admission?: Admission;
  readonly onProgress?: (progress: number, total?: number, message?: string) => void;
}

export type ListInit = Omit<InvocationInit, 'operation' | 'input' | 'onProgress'>;
