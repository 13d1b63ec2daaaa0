import { ForbiddenError, UnauthenticatedError, isPermissionProbe } from '@nexus/core';
import { hasPermission } from '../guards.js';
import type { Authorizer, NexusMetrics } from '@nexus/core';
import type { Rbac } from './rbac.js';

/**
 * The authorize check: a principal is required, and with RBAC configured it must be granted
 * the operation's permission. Without RBAC any authenticated principal may call any operation
 * (basic auth), but a permission asked about on its own (`app.checkPermission`, a tenant's job
 * admin) is held only when the token grants it.
 */
export function createAuthorizer(rbac: Rbac | undefined, metrics: NexusMetrics): Authorizer {
  return (ctx, operation) => {
    const principal = ctx.principal;
    if (principal === undefined) throw new UnauthenticatedError(undefined, { cause: new Error('missing') });
    // A permission asked about on its own is held only when granted (the guards' answer), with
    // or without RBAC: "any authenticated caller" applies to calling operations, nothing wider.
    const refused = isPermissionProbe(operation)
      ? !hasPermission(principal, operation.permission)
      : rbac !== undefined && !rbac.can(principal, operation.permission);
    if (refused) {
      // Catalogue filtering asks about every operation; only refused calls are failures.
      if (ctx.purpose === 'invoke') metrics.authFailures.inc({ channel: ctx.channel, reason: 'forbidden' });
      throw new ForbiddenError(undefined, { cause: new Error('forbidden') });
    }
  };
}
