import { NexusSetupError } from '@nexus/core';

/** Multi-tenant isolation: where the tenant comes from and who may choose another one. */
export interface TenantConfig {
  /** Claim holding the caller's tenant (`tenant_id`). */
  readonly jwtClaim?: string;
  /** Header (HTTP) naming a tenant to act in (`X-Tenant-ID`); set as `app.tenantHeader`, so every HTTP channel reads it. Other channels have their own flag. */
  readonly tenantIdHeader?: string;
  /** Let `adminRole` act in another tenant (true). */
  readonly allowAdminOverride?: boolean;
  /** Role allowed to override, inheritance resolved (`super_admin`). */
  readonly adminRole?: string;
  /**
   * A non-public operation or native route without a tenant is refused with TENANT_REQUIRED
   * (true). A target's own `tenantRequired` overrides it for that target.
   */
  readonly required?: boolean;
  /**
   * Path globs of native HTTP routes (not operations) that need no tenant, matched against the
   * request path ([]).
   * @deprecated Declare `{ tenantRequired: false }` on the operation or where the route is mounted.
   */
  readonly excludePaths?: readonly string[];
  /** Accepts or refuses a resolved tenant id (default: accept). */
  readonly validate?: (tenantId: string) => boolean | Promise<boolean>;
  /**
   * Input field bound to the resolved tenant in every operation whose input schema declares it
   * (`tenant_id`): absent, it is filled in; different, the call is refused. `false` turns it off.
   */
  readonly inputField?: string | false;
}

export interface ResolvedTenantConfig {
  readonly jwtClaim: string;
  readonly tenantIdHeader: string;
  readonly allowAdminOverride: boolean;
  readonly adminRole: string;
  readonly required: boolean;
  readonly excludePaths: readonly string[];
  readonly validate: ((tenantId: string) => boolean | Promise<boolean>) | undefined;
  readonly inputField: string | false;
}

function name(field: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) throw new NexusSetupError('NEXUS_ERR_TENANT_CONFIG', `tenantIsolation.${field} must be a non-empty string`);
  return value;
}

export function resolveTenantConfig(config: TenantConfig | true): ResolvedTenantConfig {
  const c: TenantConfig = config === true ? {} : config;
  if (typeof c !== 'object' || c === null) throw new NexusSetupError('NEXUS_ERR_TENANT_CONFIG', 'tenantIsolation must be a TenantConfig object or true');
  for (const field of ['allowAdminOverride', 'required'] as const) {
    if (c[field] !== undefined && typeof c[field] !== 'boolean') throw new NexusSetupError('NEXUS_ERR_TENANT_CONFIG', `tenantIsolation.${field} must be a boolean`);
  }
  if (c.validate !== undefined && typeof c.validate !== 'function') throw new NexusSetupError('NEXUS_ERR_TENANT_CONFIG', 'tenantIsolation.validate must be a function (tenantId) => boolean');
  const excludePaths = c.excludePaths ?? [];
  if (!Array.isArray(excludePaths) || excludePaths.some((path) => typeof path !== 'string' || !path.startsWith('/'))) {
    throw new NexusSetupError('NEXUS_ERR_TENANT_CONFIG', 'tenantIsolation.excludePaths must be a list of paths starting with "/"');
  }
  return Object.freeze({
    jwtClaim: name('jwtClaim', c.jwtClaim, 'tenant_id'),
    tenantIdHeader: name('tenantIdHeader', c.tenantIdHeader, 'X-Tenant-ID'),
    allowAdminOverride: c.allowAdminOverride ?? true,
    adminRole: name('adminRole', c.adminRole, 'super_admin'),
    required: c.required ?? true,
    excludePaths: Object.freeze([...excludePaths]),
    validate: c.validate,
    inputField: c.inputField === false ? false : name('inputField', c.inputField, 'tenant_id'),
  });
}
