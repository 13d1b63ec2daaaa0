import { NexusSetupError } from '@nexus/core';

/** Anything that answers whether a permission is held: a PermissionSet, or two of them intersected. */
export interface PermissionMatcher {
  matches(permission: string): boolean;
}

/**
 * Held only where both sides hold it. Testing each concrete permission against both sets is
 * exactly the intersection of the patterns, wildcards on either side included.
 */
export function intersect(a: PermissionMatcher, b: PermissionMatcher): PermissionMatcher {
  return { matches: (permission) => a.matches(permission) && b.matches(permission) };
}

/**
 * A compiled set of permission patterns: `*` matches everything, `read:*` matches
 * `read:<anything>`, `*:users` matches `<anything>:users`, anything else matches exactly.
 */
export class PermissionSet implements PermissionMatcher {
  private all = false;
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];
  private readonly suffixes: string[] = [];

  /** Adds a pattern; `strict` (configuration) throws on patterns outside the grammar, otherwise they match literally. */
  add(pattern: string, strict = false, where = 'permission'): this {
    if (pattern === '*') this.all = true;
    else if (pattern.endsWith(':*') && pattern.length > 2 && !pattern.slice(0, -2).includes('*')) this.prefixes.push(pattern.slice(0, -1));
    else if (pattern.startsWith('*:') && pattern.length > 2 && !pattern.slice(2).includes('*')) this.suffixes.push(pattern.slice(1));
    else if (strict && (pattern.includes('*') || pattern.length === 0)) {
      throw new NexusSetupError('NEXUS_ERR_RBAC_PATTERN', `${where} ${JSON.stringify(pattern)} is not a valid pattern; use "*", "action:*", "*:resource" or an exact permission`);
    } else this.exact.add(pattern);
    return this;
  }

  addAll(other: PermissionSet): this {
    this.all ||= other.all;
    for (const value of other.exact) this.exact.add(value);
    for (const prefix of other.prefixes) if (!this.prefixes.includes(prefix)) this.prefixes.push(prefix);
    for (const suffix of other.suffixes) if (!this.suffixes.includes(suffix)) this.suffixes.push(suffix);
    return this;
  }

  matches(permission: string): boolean {
    if (this.all || this.exact.has(permission)) return true;
    for (const prefix of this.prefixes) if (permission.length > prefix.length && permission.startsWith(prefix)) return true;
    for (const suffix of this.suffixes) if (permission.length > suffix.length && permission.endsWith(suffix)) return true;
    return false;
  }

  get empty(): boolean {
    return !this.all && this.exact.size === 0 && this.prefixes.length === 0 && this.suffixes.length === 0;
  }
}
