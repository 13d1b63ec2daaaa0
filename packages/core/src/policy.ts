import { NexusSetupError } from './setup-error.js';

/** How a call is audited: a full record (`true`), none (`false`), or a record without bodies. */
export type AuditMode = boolean | 'metadata-only';

/**
 * What an operation or a native route declares for the policy stages, once, where it is
 * registered or mounted. Stages read it from `ctx.policy`, so a decision is the same on every
 * channel and never depends on a path (as Fastify's route `config`, read by its hooks).
 */
export interface PolicyOptions {
  /** Served without a credential on every channel: authentication does not run (false). */
  readonly public?: boolean;
  readonly tags?: readonly string[];
  /**
   * The rate-limit budget it spends: targets naming the same group share one (by default an
   * operation is its own group, named after it); `false` is never rate limited.
   */
  readonly limitGroup?: string | false;
  /** `false`: no audit record on any channel; `'metadata-only'`: a record without request or response bodies (true). */
  readonly audit?: AuditMode;
  /** Overrides the tenant plugin's `required` for this target (`false`: callers without a tenant are served). */
  readonly tenantRequired?: boolean;
}

/** A target's policy with its defaults filled in: what `ctx.policy` holds. Frozen. */
export interface Policy {
  readonly public: boolean;
  readonly tags: readonly string[];
  /** Undefined: the operation's own name (a native route then spends the global budget). */
  readonly limitGroup: string | false | undefined;
  readonly audit: AuditMode;
  /** Undefined: the tenant plugin's `required` decides. */
  readonly tenantRequired: boolean | undefined;
}

const NO_TAGS: readonly string[] = Object.freeze([]);

/** An operation or route that declares nothing: authenticated, limited, audited, tenant as configured. */
export const DEFAULT_POLICY: Policy = Object.freeze({ public: false, tags: NO_TAGS, limitGroup: undefined, audit: true, tenantRequired: undefined });

/**
 * Checks and freezes declared policy metadata; a mistake is a setup error naming `target`
 * (`"echo"`, `route /admin`). Channels call it when they mount a route, so requests only read it.
 */
export function resolvePolicy(target: string, options: PolicyOptions = {}): Policy {
  const invalid = (field: string, expected: string) => new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `${field} of ${target} must be ${expected}`);
  if (typeof options !== 'object' || options === null) throw invalid('the policy', 'an object');
  const { public: open, tags, limitGroup, audit, tenantRequired } = options;
  if (open !== undefined && typeof open !== 'boolean') throw invalid('public', 'a boolean');
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string'))) throw invalid('tags', 'an array of strings');
  if (limitGroup !== undefined && limitGroup !== false && (typeof limitGroup !== 'string' || limitGroup === '' || limitGroup.startsWith('/'))) {
    throw invalid('limitGroup', 'false or a non-empty name that is not a path');
  }
  if (audit !== undefined && typeof audit !== 'boolean' && audit !== 'metadata-only') throw invalid('audit', "true, false or 'metadata-only'");
  if (tenantRequired !== undefined && typeof tenantRequired !== 'boolean') throw invalid('tenantRequired', 'a boolean');
  if (open === undefined && tags === undefined && limitGroup === undefined && audit === undefined && tenantRequired === undefined) return DEFAULT_POLICY;
  return Object.freeze({
    public: open === true,
    tags: tags === undefined || tags.length === 0 ? NO_TAGS : Object.freeze([...tags]),
    limitGroup,
    audit: audit ?? true,
    tenantRequired,
  });
}
