import type { NexusContext } from './context.js';
import type { NexusError } from './protocol/errors.js';

/** How the channel decided once it had the admitted context. */
export type AdmissionDecision =
  | { readonly kind: 'proceed' }
  | { readonly kind: 'answer'; readonly value: unknown }
  | { readonly kind: 'refuse'; readonly error: NexusError };

/**
 * A point where a call pauses so its channel can run channel-native code (HTTP middleware,
 * a native router) with the context the pipeline admitted: after authentication, tenant
 * resolution and rate limiting, before authorization and validation. Core never calls the
 * channel; it settles `admitted` and waits for the channel's decision, so the observe phase
 * still times and records the whole call.
 * @example
 * const admission = new Admission();
 * const done = app.dispatch({ ...init, purpose: 'invoke', admission });
 * const ctx = await admission.admitted;
 * if (ctx !== undefined) (await nativePolicyAllows(ctx)) ? admission.proceed() : admission.refuse(new ForbiddenError());
 * render(await done);
 */
interface Internals {
  readonly admit: (ctx: NexusContext | undefined) => void;
  readonly decision: Promise<AdmissionDecision>;
}

// Core's side of each admission, out of reach of the channel holding it.
const internals = new WeakMap<Admission, Internals>();

export class Admission {
  /** The admitted context, or undefined when the call ended before it was admitted (refused, unknown). */
  readonly admitted: Promise<NexusContext | undefined>;
  private decide: ((decision: AdmissionDecision) => void) | undefined;

  constructor() {
    let admit!: (ctx: NexusContext | undefined) => void;
    this.admitted = new Promise((resolve) => (admit = resolve));
    const decision = new Promise<AdmissionDecision>((resolve) => (this.decide = resolve));
    internals.set(this, { admit, decision });
  }

  /** Lets the call go on: authorization, validation and the handler (or the catalogue). */
  proceed(): void {
    this.settle({ kind: 'proceed' });
  }

  /** Ends the call with the channel's own answer as its value; later phases do not run. */
  answer(value?: unknown): void {
    this.settle({ kind: 'answer', value });
  }

  /** Ends the call with this refusal, recorded like any refusal of a stage. */
  refuse(error: NexusError): void {
    this.settle({ kind: 'refuse', error });
  }

  private settle(decision: AdmissionDecision): void {
    const decide = this.decide;
    this.decide = undefined;
    decide?.(decision);
  }
}

/** Hands the admitted context to the channel and waits for its decision. */
export function reachAdmission(admission: Admission, ctx: NexusContext): Promise<AdmissionDecision> {
  const own = internals.get(admission)!;
  own.admit(ctx);
  return own.decision;
}

/** The call ended: a channel still waiting learns it was not admitted. */
export function endAdmission(admission: Admission): void {
  internals.get(admission)?.admit(undefined);
}
