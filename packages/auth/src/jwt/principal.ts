import { isValidIdentifier } from '@nexus/core';
import type { Principal } from '@nexus/core';

function strings(value: unknown, split: boolean): string[] {
  if (typeof value === 'string') return split ? value.split(' ').filter((part) => part.length > 0) : value.length > 0 ? [value] : [];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string' && item.length > 0);
  return [];
}

/**
 * Maps verified claims to the principal: `sub` is the id, roles come from the roles claim
 * (a string or a list), permissions from `permissions` (list or string) and OAuth `scope` / `scp`
 * (space-separated string or list). RBAC treats those permissions as a restriction of the roles.
 */
export function principalFromClaims(claims: Record<string, unknown>, rolesClaim: string): Principal | undefined {
  const sub = claims.sub;
  if (!isValidIdentifier(sub)) return undefined;
  const permissions = strings(claims.permissions, false);
  for (const scope of strings(claims.scope ?? claims.scp, true)) if (!permissions.includes(scope)) permissions.push(scope);
  return Object.freeze({
    id: sub,
    roles: Object.freeze(strings(claims[rolesClaim], false)),
    permissions: Object.freeze(permissions),
    claims: Object.freeze({ ...claims }),
  });
}
