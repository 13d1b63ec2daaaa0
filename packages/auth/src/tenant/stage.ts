import { TenantAccessDeniedError, TenantRequiredError } from '@nexus/core';
import type { NexusContext, NexusMetrics, Principal, Stage, TenantInfo } from '@nexus/core';
import { hasRole } from '../guards.js';
import { pathMatcher } from '../jwt/paths.js';
import type { ResolvedTenantConfig } from './config.js';

const MAX_TENANT_LENGTH = 256;

/**
 * The tenant phase: the tenant comes from the verified claim; a requested tenant equal to it is
 * fine, a different one is allowed only for the admin role (marked `source: 'override'`).
 */
export function createTenantStage(config: ResolvedTenantConfig, metrics: NexusMetrics): Stage {
  const excluded = pathMatcher(config.excludePaths);
  const claimed = new WeakMap<Principal, TenantInfo | null>();

  const ownTenant = (principal: Principal): TenantInfo | undefined => {
    let tenant = claimed.get(principal);
    if (tenant === undefined) {
      const value = principal.claims[config.jwtClaim];
      tenant = typeof value === 'string' && value.length > 0 && value.length <= MAX_TENANT_LENGTH ? Object.freeze({ id: value, source: 'claim' as const }) : null;
      claimed.set(principal, tenant);
    }
    return tenant ?? undefined;
  };

  const deny = (ctx: NexusContext, reason: string) => {
    metrics.authFailures.inc({ channel: ctx.channel, reason });
    return new TenantAccessDeniedError(undefined, { cause: new Error(reason) });
  };

  return async function resolveTenant(ctx, next) {
    const principal = ctx.principal;
    if (principal === undefined) return next();
    let tenant = ownTenant(principal);
    const requested = ctx.transport.requestedTenant;
    if (requested !== undefined && requested !== '' && requested !== tenant?.id) {
      if (!config.allowAdminOverride || !hasRole(principal, config.adminRole)) throw deny(ctx, 'tenant_mismatch');
      if (requested.length > MAX_TENANT_LENGTH) throw deny(ctx, 'tenant_invalid');
      tenant = { id: requested, source: 'override', ...(tenant === undefined ? {} : { callerTenant: tenant.id }) };
    }
    if (tenant !== undefined && config.validate !== undefined && !(await config.validate(tenant.id))) throw deny(ctx, 'tenant_invalid');
    if (tenant === undefined) {
      if (config.required && ctx.purpose !== 'list' && !excluded(ctx.transport.path)) {
        metrics.authFailures.inc({ channel: ctx.channel, reason: 'tenant_missing' });
        throw new TenantRequiredError(undefined, { cause: new Error('tenant_missing') });
      }
      return next();
    }
    ctx.annotations.tenant = tenant;
    return next({ tenant });
  };
}
