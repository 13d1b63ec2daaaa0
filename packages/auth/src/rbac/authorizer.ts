import { ForbiddenError, UnauthenticatedError } from '@nexus/core';
import type { Authorizer, NexusMetrics } from '@nexus/core';
import type { Rbac } from './rbac.js';

/**
 * The authorize check: a principal is required, and with RBAC configured it must be granted
 * the operation's permission. Without RBAC any authenticated principal passes (basic auth).
 */
export function createAuthorizer(rbac: Rbac | undefined, metrics: NexusMetrics): Authorizer {
  return (ctx, operation) => {
    const principal = ctx.principal;
    if (principal === undefined) throw new UnauthenticatedError(undefined, { cause: new Error('missing') });
    if (rbac !== undefined && !rbac.can(principal, operation.permission)) {
      // Catalogue filtering asks about every operation; only refused calls are failures.
      if (ctx.purpose === 'invoke') metrics.authFailures.inc({ channel: ctx.channel, reason: 'forbidden' });
      throw new ForbiddenError(undefined, { cause: new Error('forbidden') });
    }
  };
}
