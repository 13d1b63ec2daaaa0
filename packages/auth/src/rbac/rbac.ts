import { NexusSetupError } from '@nexus/core';
import type { Principal } from '@nexus/core';
import { PermissionSet, intersect } from './permission.js';
import type { PermissionMatcher } from './permission.js';

/** One role: its permissions, or `{ permissions, inherits, description }`. */
export type RoleDefinition =
  | readonly string[]
  | { readonly permissions?: readonly string[]; readonly inherits?: readonly string[]; readonly description?: string };

/**
 * What `permissions` / `scope` / `scp` claims do: `narrow` (default) restricts the role
 * permissions to those the claims also match; `grant` adds them to the role permissions.
 */
export type ClaimPermissionsMode = 'narrow' | 'grant';

/**
 * Role name → definition, e.g. `{ admin: ['*'], developer: { permissions: ['read:*'], inherits: ['viewer'] } }`.
 * The one reserved key, `claimPermissions`, is not a role.
 */
export type RBACConfig = { readonly claimPermissions?: ClaimPermissionsMode } & Readonly<Record<string, RoleDefinition | ClaimPermissionsMode>>;

/** What a principal may do, with inheritance and the default role resolved. */
export interface Access {
  readonly roles: ReadonlySet<string>;
  readonly permissions: PermissionMatcher;
}

const CLAIM_NAMES = ['permissions', 'scope', 'scp'] as const;

/** Whether the principal carries permissions of its own (a claim that is present, even empty). */
function carriesPermissions(principal: Principal): boolean {
  return principal.permissions.length > 0 || CLAIM_NAMES.some((name) => Object.hasOwn(principal.claims, name));
}

interface CompiledRole {
  readonly roles: ReadonlySet<string>;
  readonly permissions: PermissionSet;
}

const registry = new WeakMap<Principal, Access>();

/**
 * Role lists resolved so far, for principals without permissions of their own: their access
 * depends on the list alone, and every new caller (a different principal each request) would
 * otherwise rebuild the same sets. Bounded: token role lists come from outside.
 */
const ROLE_LIST_CACHE_LIMIT = 1_024;

/** The access resolved for a principal by the plugin that authenticated it, if any. */
export function registeredAccess(principal: Principal): Access | undefined {
  return registry.get(principal);
}

/** Access from the principal's own roles and permissions, for principals no RBAC resolved. */
export function rawAccess(principal: Principal): Access {
  const permissions = new PermissionSet();
  for (const permission of principal.permissions) permissions.add(permission);
  return { roles: new Set(principal.roles), permissions };
}

function definitionOf(name: string, definition: RoleDefinition): { permissions: readonly string[]; inherits: readonly string[] } {
  if (Array.isArray(definition)) return { permissions: definition as readonly string[], inherits: [] };
  if (typeof definition !== 'object' || definition === null) {
    throw new NexusSetupError('NEXUS_ERR_RBAC_CONFIG', `rbac role "${name}" must be a list of permissions or { permissions, inherits }`);
  }
  const { permissions = [], inherits = [] } = definition as { permissions?: readonly string[]; inherits?: readonly string[] };
  if (!Array.isArray(permissions) || !Array.isArray(inherits)) {
    throw new NexusSetupError('NEXUS_ERR_RBAC_CONFIG', `rbac role "${name}": permissions and inherits must be lists`);
  }
  return { permissions, inherits };
}

/** Role-based access control compiled once: transitive inheritance, wildcard patterns, deny by default. */
export class Rbac {
  private readonly roles = new Map<string, CompiledRole>();
  private readonly byRoleList = new Map<string, Access>();
  readonly claimPermissions: ClaimPermissionsMode;

  constructor(config: RBACConfig, readonly defaultRole?: string) {
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new NexusSetupError('NEXUS_ERR_RBAC_CONFIG', 'rbac must be an object mapping role names to permissions');
    }
    const { claimPermissions = 'narrow', ...roleConfig } = config;
    if (claimPermissions !== 'narrow' && claimPermissions !== 'grant') {
      throw new NexusSetupError('NEXUS_ERR_RBAC_CONFIG', `rbac.claimPermissions must be 'narrow' or 'grant', got ${JSON.stringify(claimPermissions)}`);
    }
    this.claimPermissions = claimPermissions;
    const raw = new Map(Object.entries(roleConfig).map(([name, definition]) => [name, definitionOf(name, definition as RoleDefinition)]));
    for (const [name, { permissions, inherits }] of raw) {
      for (const permission of permissions) {
        if (typeof permission !== 'string') throw new NexusSetupError('NEXUS_ERR_RBAC_CONFIG', `rbac role "${name}" has a permission that is not a string`);
        new PermissionSet().add(permission, true, `rbac role "${name}": permission`);
      }
      for (const parent of inherits) {
        if (!raw.has(parent)) throw new NexusSetupError('NEXUS_ERR_RBAC_UNKNOWN_ROLE', `rbac role "${name}" inherits unknown role "${parent}"`);
      }
    }
    const compile = (name: string, path: readonly string[]): CompiledRole => {
      const done = this.roles.get(name);
      if (done) return done;
      if (path.includes(name)) {
        throw new NexusSetupError('NEXUS_ERR_RBAC_CYCLE', `rbac inheritance cycle: ${[...path.slice(path.indexOf(name)), name].join(' -> ')}`);
      }
      const { permissions, inherits } = raw.get(name)!;
      const roles = new Set([name]);
      const set = new PermissionSet();
      for (const permission of permissions) set.add(permission, true);
      for (const parent of inherits) {
        const compiled = compile(parent, [...path, name]);
        for (const role of compiled.roles) roles.add(role);
        set.addAll(compiled.permissions);
      }
      const role = { roles, permissions: set };
      this.roles.set(name, role);
      return role;
    };
    for (const name of raw.keys()) compile(name, []);
    if (defaultRole !== undefined && !this.roles.has(defaultRole)) {
      throw new NexusSetupError('NEXUS_ERR_RBAC_UNKNOWN_ROLE', `rbacDefaultRole "${defaultRole}" is not a role in rbac`);
    }
  }

  roleNames(): string[] {
    return [...this.roles.keys()];
  }

  /** Resolves (once per principal object) the roles and permissions a principal holds. */
  access(principal: Principal): Access {
    const known = registry.get(principal);
    if (known !== undefined) return known;
    const names = principal.roles.length === 0 && this.defaultRole !== undefined ? [this.defaultRole] : principal.roles;
    const own = carriesPermissions(principal);
    // JSON keeps lists apart that a separator could not (a role name may hold any character).
    const listKey = own ? undefined : JSON.stringify(names);
    const shared = listKey === undefined ? undefined : this.byRoleList.get(listKey);
    if (shared !== undefined) {
      registry.set(principal, shared);
      return shared;
    }
    const roles = new Set<string>();
    const fromRoles = new PermissionSet();
    for (const name of names) {
      roles.add(name);
      const compiled = this.roles.get(name);
      if (compiled === undefined) continue;
      for (const role of compiled.roles) roles.add(role);
      fromRoles.addAll(compiled.permissions);
    }
    // A token may restrict what its roles allow (an OAuth scope for one client), never add to it,
    // unless the application opted in to claims as grants.
    const claimed = new PermissionSet();
    for (const permission of principal.permissions) claimed.add(permission);
    let permissions: PermissionMatcher = fromRoles;
    if (this.claimPermissions === 'grant') permissions = fromRoles.addAll(claimed);
    else if (own) permissions = intersect(fromRoles, claimed);
    const access = { roles, permissions };
    registry.set(principal, access);
    if (listKey !== undefined) {
      if (this.byRoleList.size >= ROLE_LIST_CACHE_LIMIT) this.byRoleList.clear();
      this.byRoleList.set(listKey, access);
    }
    return access;
  }

  /**
   * The principal with its effective roles (its own first, then inherited and default ones),
   * so role checks anywhere, including channel code that reads `principal.roles`, see inheritance.
   */
  expand(principal: Principal): Principal {
    const access = this.access(principal);
    if (access.roles.size === principal.roles.length) return principal;
    const expanded: Principal = Object.freeze({ ...principal, roles: Object.freeze([...access.roles]) });
    registry.set(expanded, access);
    return expanded;
  }

  can(principal: Principal, permission: string): boolean {
    return this.access(principal).permissions.matches(permission);
  }

  hasRole(principal: Principal, role: string): boolean {
    return this.access(principal).roles.has(role);
  }
}
