import { NexusSetupError } from '@nexus/core';
import type { Nexus, Plugin } from '@nexus/core';
import { resolveJwtConfig } from './jwt/config.js';
import type { JWTConfig, ResolvedJwtConfig } from './jwt/config.js';
import { pathMatcher } from './jwt/paths.js';
import { createAuthenticateStage } from './jwt/stage.js';
import { AuthFailureThrottle } from './jwt/throttle.js';
import type { AuthFailureThrottleConfig } from './jwt/throttle.js';
import { createVerifier } from './jwt/verifier.js';
import type { TokenVerifier } from './jwt/verifier.js';
import { createAuthorizer } from './rbac/authorizer.js';
import { Rbac } from './rbac/rbac.js';
import type { RBACConfig } from './rbac/rbac.js';
import { resolveTenantConfig } from './tenant/config.js';
import type { ResolvedTenantConfig, TenantConfig } from './tenant/config.js';
import { createTenantStage } from './tenant/stage.js';
import { createAuditor } from './audit/index.js';
import type { AuditConfig, AuditorHandle } from './audit/index.js';
import { resolveAuditConfig } from './audit/config.js';
import { createRateLimiter } from './rate-limit/index.js';
import type { RateLimitConfig, RateLimiterHandle } from './rate-limit/index.js';
import { resolveRateLimitConfig } from './rate-limit/config.js';
import { resolveIdempotencyConfig } from './idempotency/config.js';
import type { IdempotencyConfig, ResolvedIdempotencyConfig } from './idempotency/config.js';
import { createRedisIdempotencyStore } from './idempotency/redis-store.js';
import type { RedisIdempotencyStore } from './idempotency/redis-store.js';

/** Everything the auth plugin can enforce; each part is optional, but RBAC and tenants need `jwt`. */
export interface NexusAuthOptions {
  readonly jwt?: JWTConfig;
  readonly rbac?: RBACConfig;
  /** Role given to principals whose token carries no roles. */
  readonly rbacDefaultRole?: string;
  readonly tenantIsolation?: TenantConfig | boolean;
  /** Token-bucket limits per tenant + principal (or client address) and route. */
  readonly rateLimit?: RateLimitConfig;
  /** One audit record per invocation on every channel. */
  readonly audit?: AuditConfig;
  /** Refused credentials allowed per client address before it is slowed down; `false` disables. */
  readonly authFailureThrottle?: AuthFailureThrottleConfig | false;
  /**
   * Where idempotency keys' outcomes are kept. Unset, they follow `rateLimit`: on Redis when the
   * rate limit is, so instances behind a load balancer share them; otherwise the app's default.
   */
  readonly idempotency?: IdempotencyConfig;
}

/** `basicAuth()`: `jwt` is required, everything else optional. */
export type BasicAuthOptions = Omit<NexusAuthOptions, 'jwt'> & { readonly jwt: JWTConfig };
/** `saasApp()`: `jwt` and `rbac` are required; `tenantIsolation` defaults to on. */
export type SaasAppOptions = Omit<NexusAuthOptions, 'jwt' | 'rbac'> & { readonly jwt: JWTConfig; readonly rbac: RBACConfig };
/** `enterprise()`: `jwt` and `rbac` are required; `rateLimit` and `audit` default to on. */
export type EnterpriseOptions = SaasAppOptions;

function need<T>(factory: string, field: string, value: T | undefined): T {
  if (value === undefined || value === null) throw new NexusSetupError('NEXUS_ERR_AUTH_CONFIG', `NexusAuthPlugin.${factory}() needs ${field}`);
  return value;
}

/**
 * Authentication, tenant isolation and authorization as pipeline stages, enforced the same
 * way on every channel.
 * @example
 * const auth = NexusAuthPlugin.saasApp({
 *   jwt: { secret: process.env.JWT_SECRET!, issuer: 'https://id.example.com' },
 *   rbac: { admin: ['*'], developer: ['read:*', 'execute:*'] },
 *   tenantIsolation: { jwtClaim: 'tenant_id', adminRole: 'admin' },
 * });
 * app.addPlugin(auth);
 */
export class NexusAuthPlugin implements Plugin {
  readonly name = 'nexus-auth';
  /** The options the plugin was built with, factory defaults included. */
  readonly options: NexusAuthOptions;
  readonly jwt: ResolvedJwtConfig | undefined;
  readonly tenant: ResolvedTenantConfig | undefined;
  readonly rbac: Rbac | undefined;
  private readonly throttleConfig: AuthFailureThrottleConfig | false;
  private readonly exempt: (path: string | undefined) => boolean;
  private readonly rateLimitConfig: RateLimitConfig | undefined;
  private readonly auditConfig: AuditConfig | undefined;
  private readonly idempotencyConfig: ResolvedIdempotencyConfig | undefined;
  private idempotencyStore: RedisIdempotencyStore | undefined;
  private verifier: TokenVerifier | undefined;
  private limiter: RateLimiterHandle | undefined;
  private auditor: AuditorHandle | undefined;
  private throttle: AuthFailureThrottle | undefined;
  private app: Nexus | undefined;

  constructor(options: NexusAuthOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new NexusSetupError('NEXUS_ERR_AUTH_CONFIG', 'NexusAuthPlugin needs an options object');
    const tenantWanted = options.tenantIsolation !== undefined && options.tenantIsolation !== false;
    if (options.jwt === undefined && (options.rbac !== undefined || tenantWanted)) {
      throw new NexusSetupError('NEXUS_ERR_AUTH_NEEDS_JWT', 'rbac and tenantIsolation need jwt: without authentication there is no principal to check');
    }
    if (options.rbacDefaultRole !== undefined && options.rbac === undefined) {
      throw new NexusSetupError('NEXUS_ERR_AUTH_CONFIG', 'rbacDefaultRole needs rbac');
    }
    this.jwt = options.jwt === undefined ? undefined : resolveJwtConfig(options.jwt);
    this.rbac = options.rbac === undefined ? undefined : new Rbac(options.rbac, options.rbacDefaultRole);
    this.tenant = tenantWanted ? resolveTenantConfig(options.tenantIsolation as TenantConfig | true) : undefined;
    const throttle = options.authFailureThrottle ?? {};
    if (throttle !== false) {
      for (const [field, value] of Object.entries(throttle)) {
        if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0)) {
          throw new NexusSetupError('NEXUS_ERR_AUTH_CONFIG', `authFailureThrottle.${field} must be a positive integer`);
        }
      }
    }
    this.throttleConfig = throttle;
    this.exempt = pathMatcher(this.jwt?.exemptPaths ?? []);
    // Validated now so a bad option fails where the plugin is built, not when it is added.
    if (options.rateLimit !== undefined) resolveRateLimitConfig(options.rateLimit);
    if (options.audit !== undefined) resolveAuditConfig(options.audit);
    this.options = options;
    this.rateLimitConfig = options.rateLimit;
    this.auditConfig = options.audit;
    const limits = options.rateLimit === undefined ? undefined : resolveRateLimitConfig(options.rateLimit);
    // Without an option of its own or a rate limit on Redis, the app's default (memory) stays.
    this.idempotencyConfig = options.idempotency !== undefined || limits?.backend === 'redis' ? resolveIdempotencyConfig(options.idempotency ?? {}, limits) : undefined;
  }

  /**
   * JWT authentication only: any authenticated caller may call any operation.
   * `audit` is off unless given.
   */
  static basicAuth(options: BasicAuthOptions): NexusAuthPlugin {
    return new NexusAuthPlugin({ ...options, jwt: need('basicAuth', 'jwt', options?.jwt) });
  }

  /**
   * JWT, RBAC and tenant isolation: a multi-tenant SaaS. `tenantIsolation` defaults to the
   * TenantConfig defaults (claim `tenant_id`); pass `false` for a single-tenant app.
   */
  static saasApp(options: SaasAppOptions): NexusAuthPlugin {
    return new NexusAuthPlugin({
      ...options,
      jwt: need('saasApp', 'jwt', options?.jwt),
      rbac: need('saasApp', 'rbac', options.rbac),
      tenantIsolation: options.tenantIsolation ?? true,
    });
  }

  /**
   * Everything: JWT and RBAC, with rate limits and audit on by default (RateLimitConfig and
   * AuditConfig defaults). Tenant isolation only when `tenantIsolation` is given, since it
   * refuses tokens without a tenant claim.
   */
  static enterprise(options: EnterpriseOptions): NexusAuthPlugin {
    return new NexusAuthPlugin({
      ...options,
      jwt: need('enterprise', 'jwt', options?.jwt),
      rbac: need('enterprise', 'rbac', options.rbac),
      rateLimit: options.rateLimit ?? {},
      audit: options.audit ?? {},
    });
  }

  /** Whether an HTTP route that is not an operation may be served without a credential. */
  isExemptPath(path: string): boolean {
    return this.exempt(path);
  }

  /** Counts in memory; with the rate limit on Redis, instances share the counts there too. */
  private createThrottle(app: Nexus): AuthFailureThrottle | undefined {
    if (this.throttleConfig === false) return undefined;
    const limits = this.rateLimitConfig === undefined ? undefined : resolveRateLimitConfig(this.rateLimitConfig);
    if (limits?.backend !== 'redis') return new AuthFailureThrottle(this.throttleConfig);
    return new AuthFailureThrottle(this.throttleConfig, {
      redisUrl: limits.redisUrl!,
      keyPrefix: `${limits.redisKeyPrefix}authfail`,
      commandTimeoutMs: limits.redisCommandTimeoutMs,
      logger: app.logger.child({ component: 'auth-throttle' }),
    });
  }

  setup(app: Nexus): void {
    if (this.app !== undefined) throw new NexusSetupError('NEXUS_ERR_AUTH_CONFIG', 'a NexusAuthPlugin instance serves one app; create one per app');
    this.app = app;
    this.setupIdempotency(app);
    if (this.auditConfig !== undefined) {
      this.auditor = createAuditor(this.auditConfig, app);
      app.use('observe', this.auditor.stage, 'nexus-auth:audit');
      app.addHealthCheck('audit', this.auditor.health);
    }
    if (this.rateLimitConfig !== undefined) {
      const limiter = createRateLimiter(this.rateLimitConfig, app);
      this.limiter = limiter;
      app.use('limit', limiter.stage, 'nexus-auth:rate-limit');
      app.addHealthCheck('rate-limit', limiter.health);
    }
    if (this.jwt !== undefined) {
      const rbac = this.rbac;
      const verifier = createVerifier(this.jwt, rbac === undefined ? undefined : (principal) => rbac.expand(principal));
      this.verifier = verifier;
      const throttle = this.createThrottle(app);
      this.throttle = throttle;
      // Issuers named by URL are OAuth authorization servers clients can discover (RFC 9728).
      for (const issuer of [this.jwt.issuer ?? []].flat()) if (/^https?:\/\//i.test(issuer)) app.addAuthorizationServer(issuer);
      app.use('authenticate', createAuthenticateStage({ verifier, metrics: app.metrics, throttle, isExemptPath: this.exempt }), 'nexus-auth:authenticate');
      if (verifier.jwks !== undefined) app.addHealthCheck('jwks', () => verifier.health());
      if (this.tenant !== undefined) {
        // Channels read the requested tenant from this header, so the configured name holds on every HTTP channel.
        app.tenantHeader = this.tenant.tenantIdHeader;
        app.use('tenant', createTenantStage(this.tenant, app.metrics), 'nexus-auth:tenant');
      }
      app.authorize(createAuthorizer(this.rbac, app.metrics));
    }
  }

  private setupIdempotency(app: Nexus): void {
    const config = this.idempotencyConfig;
    if (config === undefined) return;
    const { ttlSeconds, failOpen } = config;
    if (config.backend === 'memory') {
      app.configureIdempotency({ ttlSeconds, failOpen });
      return;
    }
    const store = createRedisIdempotencyStore(config.redisUrl!, config.redisKeyPrefix, app.logger.child({ component: 'idempotency' }), config.redisCommandTimeoutMs);
    this.idempotencyStore = store;
    app.configureIdempotency({ store, ttlSeconds, failOpen });
    // Failing closed, every keyed call is refused while Redis is down: unhealthy, so load balancers move away.
    app.addHealthCheck('idempotency', async () => {
      const report = await store.health();
      return report.status === 'degraded' && !failOpen ? { ...report, status: 'unhealthy' } : report;
    });
  }

  /** routeLimits keys must match a path the channels serve; without a channel that serves paths there is nothing to match. */
  verify(app: Nexus): void {
    const served = app.routes();
    if (this.limiter !== undefined && served.length > 0) this.limiter.verifyRoutes(served);
  }

  async start(): Promise<void> {
    // Warm the key set; an unreachable provider is reported by the health check, not fatal here.
    await Promise.all([this.verifier?.jwks?.refresh(), this.limiter?.start(), this.throttle?.start(), this.idempotencyStore?.start(), this.auditor?.start()]);
  }

  /** Reopens the audit file, after log rotation moved it (what SIGHUP should trigger). */
  async reopen(): Promise<void> {
    await this.auditor?.reopen();
  }

  async stop(): Promise<void> {
    this.verifier?.close();
    try {
      await Promise.all([this.limiter?.stop(), this.throttle?.stop(), this.idempotencyStore?.stop()]);
    } finally {
      await this.auditor?.stop();
    }
  }
}
