import { TenantAccessDeniedError, TenantRequiredError, UnauthenticatedError, isValidIdentifier } from '@nexus/core';
import type { Next, NexusContext, NexusMetrics, Principal, Stage, TenantInfo } from '@nexus/core';
import { bindTenantInput } from './input-field.js';
import { hasRole } from '../guards.js';
import { pathMatcher } from '../jwt/paths.js';
import type { ResolvedTenantConfig } from './config.js';

/** A claim naming a tenant in a form no tenant id may take: the credential itself is refused. */
const INVALID_CLAIM = Symbol('invalid tenant claim');

/**
 * The tenant phase: the tenant comes from the verified claim; a requested tenant equal to it is
 * fine, a different one is allowed only for the admin role (marked `source: 'override'`).
 */
export function createTenantStage(config: ResolvedTenantConfig, metrics: NexusMetrics): Stage {
  const excluded = pathMatcher(config.excludePaths);
  const claimed = new WeakMap<Principal, TenantInfo | null | typeof INVALID_CLAIM>();

  // Ids are checked before anything keys on them: a lone surrogate, written by a store as
  // U+FFFD, would otherwise make two tenants one.
  const ownTenant = (principal: Principal): TenantInfo | null | typeof INVALID_CLAIM => {
    let tenant = claimed.get(principal);
    if (tenant === undefined) {
      const value = principal.claims[config.jwtClaim];
      tenant = value === undefined || value === null || value === '' ? null : isValidIdentifier(value) ? Object.freeze({ id: value, source: 'claim' as const }) : INVALID_CLAIM;
      claimed.set(principal, tenant);
    }
    return tenant;
  };

  const deny = (ctx: NexusContext, reason: string) => {
    metrics.authFailures.inc({ channel: ctx.channel, reason });
    return new TenantAccessDeniedError(undefined, { cause: new Error(reason) });
  };

  const proceed = (ctx: NexusContext, next: Next, tenant: TenantInfo | undefined): Promise<unknown> => {
    if (tenant === undefined) {
      // The target's own declaration first; the path list only ever names native routes.
      const required = ctx.policy.tenantRequired ?? config.required;
      if (required && ctx.purpose !== 'list' && !(ctx.purpose === 'route' && excluded(ctx.transport.path))) {
        metrics.authFailures.inc({ channel: ctx.channel, reason: 'tenant_missing' });
        throw new TenantRequiredError(undefined, { cause: new Error('tenant_missing') });
      }
    }
    const input = bindTenantInput(config.inputField, ctx, tenant);
    if (input === false) throw deny(ctx, 'tenant_mismatch');
    if (tenant === undefined) return input === undefined ? next() : next({ input });
    ctx.annotations.tenant = tenant;
    return next(input === undefined ? { tenant } : { tenant, input });
  };

  // Not async: without a `validate` hook the tenant is decided without a promise of this stage's own.
  return function resolveTenant(ctx, next) {
    const principal = ctx.principal;
    if (principal === undefined) return next();
    const own = ownTenant(principal);
    if (own === INVALID_CLAIM) {
      metrics.authFailures.inc({ channel: ctx.channel, reason: 'invalid_tenant_claim' });
      throw new UnauthenticatedError(undefined, { cause: new Error('invalid_tenant_claim') });
    }
    let tenant = own ?? undefined;
    const requested = ctx.transport.requestedTenant;
    if (requested !== undefined && requested !== '' && requested !== tenant?.id) {
      if (!isValidIdentifier(requested)) throw deny(ctx, 'tenant_invalid');
      if (!config.allowAdminOverride || !hasRole(principal, config.adminRole)) throw deny(ctx, 'tenant_mismatch');
      tenant = { id: requested, source: 'override', ...(tenant === undefined ? {} : { callerTenant: tenant.id }) };
    }
    const validate = config.validate;
    if (tenant === undefined || validate === undefined) return proceed(ctx, next, tenant);
    const chosen = tenant;
    return Promise.resolve(validate(chosen.id)).then((valid) => {
      if (!valid) throw deny(ctx, 'tenant_invalid');
      return proceed(ctx, next, chosen);
    });
  };
}
