import { RateLimitedError, UnauthenticatedError, UnavailableError } from '@nexus/core';
import type { Next, NexusContext, NexusMetrics, Principal, Stage } from '@nexus/core';
import { CredentialRejected } from './errors.js';
import type { AuthFailureReason } from './errors.js';
import type { AuthFailureThrottle } from './throttle.js';
import type { TokenVerifier } from './verifier.js';

export interface AuthenticateStageOptions {
  readonly verifier: TokenVerifier;
  readonly metrics: NexusMetrics;
  readonly throttle: AuthFailureThrottle | undefined;
  /** Native routes (never operations) that admit anonymous callers by their path (`jwt.exemptPaths`). */
  readonly isExemptPath: (path: string | undefined) => boolean;
}

/**
 * The authenticate phase: bearer token → principal. Whatever declares `public` (an operation or
 * a native route) skips it; catalogue requests admit anonymous callers but still judge a
 * presented credential. Every refusal carries the same public message; the reason word stays internal.
 */
export function createAuthenticateStage(options: AuthenticateStageOptions): Stage {
  const { verifier, metrics, throttle, isExemptPath } = options;

  const refuse = (ctx: NexusContext, reason: AuthFailureReason) => {
    metrics.authFailures.inc({ channel: ctx.channel, reason });
    if (reason === 'jwks_unavailable') return new UnavailableError(undefined, { cause: new Error(reason) });
    return new UnauthenticatedError(undefined, { cause: new Error(reason) });
  };

  // A refused credential: the throttle counts it per client address (only failures, so one bad
  // client behind a shared address never locks out the callers whose tokens verify).
  const refused = async (ctx: NexusContext, error: unknown): Promise<never> => {
    if (!(error instanceof CredentialRejected)) throw error;
    const address = ctx.clientAddress;
    if (throttle === undefined || address === undefined || error.reason === 'jwks_unavailable') throw refuse(ctx, error.reason);
    const wait = throttle.blockedFor(address);
    if (wait > 0) {
      metrics.authFailures.inc({ channel: ctx.channel, reason: 'throttled' });
      throw new RateLimitedError(wait, { cause: new Error('throttled') });
    }
    await throttle.fail(address);
    throw refuse(ctx, error.reason);
  };

  const admit = (ctx: NexusContext, next: Next, principal: Principal): Promise<unknown> => {
    ctx.annotations.principal = principal;
    return next({ principal });
  };

  // Not async: a token verified recently is admitted without a promise of this stage's own.
  return function authenticate(ctx, next) {
    // Public targets stay open whatever credential comes along (a bad one is not even read).
    if (ctx.policy.public) return next();
    if (ctx.purpose === 'route' && isExemptPath(ctx.transport.path)) return next();
    const credential = ctx.credential;
    if (credential.kind === 'none') {
      if (ctx.purpose === 'list') return next();
      throw refuse(ctx, 'missing');
    }
    // A present but unusable header (another scheme, repeated) is refused, never read as anonymous.
    if (credential.kind === 'invalid') throw refuse(ctx, 'malformed');
    if (credential.kind !== 'bearer') throw refuse(ctx, 'unsupported');

    const known = verifier.known(credential.token);
    if (known !== undefined) return admit(ctx, next, known);
    return verifier.verify(credential.token).then((principal) => admit(ctx, next, principal), (error: unknown) => refused(ctx, error));
  };
}
