import { ForbiddenError, NexusSetupError, UnauthenticatedError } from '@nexus/core';
import type { Guard, Principal } from '@nexus/core';
import { rawAccess, registeredAccess } from './rbac/rbac.js';
import type { Access } from './rbac/rbac.js';

function accessOf(principal: Principal): Access {
  return registeredAccess(principal) ?? rawAccess(principal);
}

/** True when the principal holds the role directly, by inheritance or as its default role. */
export function hasRole(principal: Principal | undefined, role: string): boolean {
  return principal !== undefined && accessOf(principal).roles.has(role);
}

/** True when the principal's roles or own permissions grant the permission (wildcards resolved). */
export function hasPermission(principal: Principal | undefined, permission: string): boolean {
  return principal !== undefined && accessOf(principal).permissions.matches(permission);
}

function names(kind: string, values: readonly string[]): readonly string[] {
  if (values.length === 0 || values.some((value) => typeof value !== 'string' || value.length === 0)) {
    throw new NexusSetupError('NEXUS_ERR_GUARD_CONFIG', `${kind} needs at least one non-empty name`);
  }
  return Object.freeze([...values]);
}

const denied = () => new ForbiddenError(undefined, { cause: new Error('forbidden') });
const anonymous = () => new UnauthenticatedError(undefined, { cause: new Error('missing') });

/**
 * Guard admitting principals holding any of the roles (inheritance resolved).
 * @example app.handler('purge', { description, input, guards: [requireRole('admin')] }, purge)
 */
export function requireRole(...roles: string[]): Guard {
  const wanted = names('requireRole', roles);
  return (ctx) => {
    if (ctx.principal === undefined) throw anonymous();
    const held = accessOf(ctx.principal).roles;
    if (!wanted.some((role) => held.has(role))) throw denied();
  };
}

/** Guard admitting principals granted every one of the permissions. */
export function requirePermission(...permissions: string[]): Guard {
  const wanted = names('requirePermission', permissions);
  return (ctx) => {
    if (ctx.principal === undefined) throw anonymous();
    const granted = accessOf(ctx.principal).permissions;
    if (!wanted.every((permission) => granted.matches(permission))) throw denied();
  };
}
