import type { InvocationInit, ListInit, NexusContext, Principal, ResponseAnnotations } from './context.js';
import type { NexusError } from './protocol/errors.js';
import type { OperationDescriptor } from './operation.js';
import type { Policy } from './policy.js';

/**
 * What every request through `app.dispatch()` ends as: it never throws, so a channel renders
 * exactly these two branches, whatever it asked for.
 */
export type NexusResult<T = unknown> =
  | {
      readonly ok: true;
      readonly requestId: string;
      readonly value: T;
      readonly durationMs: number;
      readonly annotations: ResponseAnnotations;
    }
  | {
      readonly ok: false;
      readonly requestId: string;
      readonly error: NexusError;
      readonly durationMs: number;
      readonly annotations: ResponseAnnotations;
    };

/** Run an operation: every phase, then the handler. The value is the handler's result. */
export interface InvokeRequest extends InvocationInit {
  readonly purpose: 'invoke';
}

/** The catalogue: authenticated like a call, filtered by the same authorizers. The value is what the caller may invoke. */
export interface ListRequest extends ListInit {
  readonly purpose: 'list';
}

/**
 * Admit a channel-native route that is not an operation (a custom HTTP route): observe,
 * authenticate, tenant and limit run, then the channel answers once `admission` hands it the
 * context (its answer is the value), or else `route(ctx)` does.
 */
export interface RouteRequest extends ListInit {
  readonly purpose: 'route';
  readonly route?: (ctx: NexusContext) => unknown;
  /** What the route declared when it was mounted (`resolvePolicy`); the defaults when absent. */
  readonly policy?: Policy;
}

/**
 * Judge a credential without serving anything (a handshake): only the authenticate phase runs,
 * as for a catalogue (`as: 'list'`, the default: anonymous may pass) or a native route
 * (`as: 'route'`). The value is the principal, if any.
 */
export interface AuthenticateRequest extends ListInit {
  readonly purpose: 'authenticate';
  readonly as?: 'list' | 'route';
  /** With `as: 'route'`, the route's policy (a public route admits anyone); the defaults when absent. */
  readonly policy?: Policy;
}

/**
 * Submit an operation as a job: the whole pipeline runs now, the handler later. The value is
 * `{ operationId, status, requestId }`.
 */
export interface SubmitRequest extends InvocationInit {
  readonly purpose: 'submit';
}

/** Everything a channel can ask of an app, told apart by `purpose`. */
export type NexusRequest = InvokeRequest | ListRequest | RouteRequest | AuthenticateRequest | SubmitRequest;

/** The `value` type of a request's successful result. */
export type DispatchValue<R extends NexusRequest> = R extends ListRequest
  ? OperationDescriptor[]
  : R extends AuthenticateRequest
    ? Principal | undefined
    : unknown;
