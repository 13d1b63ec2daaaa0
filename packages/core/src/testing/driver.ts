import type { FieldError, NexusErrorCode } from '../errors.js';
import type { Nexus } from '../nexus.js';

export interface ConformanceCall {
  readonly operation: string;
  readonly input?: unknown;
  /** A bearer token; omitted means no credential at all. */
  readonly token?: string;
  /** A raw `Authorization` header value, sent instead of `token` (channels with `credentialHeaders`). */
  readonly authorization?: string;
  readonly requestId?: string;
  readonly signal?: AbortSignal;
}

/** A channel's answer reduced to what the suite compares; `raw` is everything the caller received. */
export type ConformanceOutcome =
  | { readonly ok: true; readonly value: unknown; readonly requestId?: string; readonly raw: string }
  | {
      readonly ok: false;
      readonly code: NexusErrorCode;
      readonly requestId?: string;
      readonly errors?: readonly FieldError[];
      readonly retryAfter?: number;
      readonly raw: string;
    };

/** A call whose input is sent as this exact JSON text, never re-serialised by the driver. */
export interface RawConformanceCall {
  readonly operation: string;
  /** The input as JSON text (possibly malformed, or deeper than any serialiser would write). */
  readonly json: string;
  readonly token?: string;
}

/** Speaks the channel's native protocol (HTTP, a spawned CLI, an MCP client) to the app. */
export interface ConformanceDriver {
  invoke(call: ConformanceCall): Promise<ConformanceOutcome>;
  /**
   * Sends `json` verbatim where the channel carries an input (the HTTP body's `inputs`, MCP
   * `arguments`, the CLI's `--input`), so the suite can check what no JSON.stringify produces.
   * Drivers without it skip those cases.
   */
  invokeRaw?(call: RawConformanceCall): Promise<ConformanceOutcome>;
  /** Names of the operations the caller may invoke, or the error that refused the listing. */
  list(call: { readonly token?: string; readonly authorization?: string }): Promise<{ ok: true; names: string[] } | Extract<ConformanceOutcome, { ok: false }>>;
  close(): Promise<void>;
}

export interface ChannelUnderTest {
  readonly name: string;
  /** Adds the channel to `app`, starts it, and returns a driver that talks to it. */
  connect(app: Nexus): Promise<ConformanceDriver>;
  /**
   * `shared`: the driver reaches the very app passed to connect, so server-side effects
   * (a handler seeing its signal abort) are checked too. `false` when each call runs a new app.
   */
  readonly sharedApp?: boolean;
  /** True when the channel carries a raw `Authorization` header (HTTP-carried channels). */
  readonly credentialHeaders?: boolean;
  /** False when the channel cannot carry a caller's request id. */
  readonly requestIds?: boolean;
  /** False when the channel has no way to cancel a call. */
  readonly cancellation?: boolean;
  /**
   * The largest request, in bytes, the channel reads (an HTTP body, an NDJSON line). When
   * declared, the suite checks that an input larger than it is refused with PAYLOAD_TOO_LARGE.
   */
  readonly maxInputBytes?: number;
}
