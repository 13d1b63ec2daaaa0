import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { DEFAULT_POLICY, Nexus, isNexusSetupError, resolvePolicy, silentLogger } from '../src/index.js';
import type { NexusContext, Policy, PolicyOptions } from '../src/index.js';

/** An app whose observe stage keeps the policy every request carried. */
function recording(): { app: Nexus; seen: Policy[] } {
  const app = new Nexus({ logger: silentLogger });
  const seen: Policy[] = [];
  app.use('observe', async (ctx, next) => {
    seen.push(ctx.policy);
    return next();
  });
  app.handler(
    'metered',
    { description: 'Declares its policy.', input: z.object({}), tags: ['billing'], limitGroup: 'reports', audit: 'metadata-only', tenantRequired: false },
    () => ({ ok: true }),
  );
  app.handler('plain', { description: 'Declares nothing.', input: z.object({}) }, () => ({ ok: true }));
  return { app, seen };
}

describe('policy metadata', () => {
  it('gives every call of an operation the policy it declared, whatever the channel', async () => {
    const { app, seen } = recording();
    for (const channel of ['api', 'mcp', 'cli', 'ndjson']) {
      expect((await app.invoke({ channel, operation: 'metered' })).ok).toBe(true);
    }
    expect(seen).toHaveLength(4);
    for (const policy of seen) expect(policy).toBe(app.operation('metered')!.policy);
    expect(seen[0]).toEqual({ public: false, tags: ['billing'], limitGroup: 'reports', audit: 'metadata-only', tenantRequired: false });
  });

  it('resolves it once, at registration: requests share one frozen object', () => {
    const { app } = recording();
    const policy = app.operation('metered')!.policy;
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.tags)).toBe(true);
    expect(app.operation('plain')!.policy).toBe(DEFAULT_POLICY);
  });

  it('keeps public and tags of the definition and its policy the same', () => {
    const app = new Nexus({ logger: silentLogger });
    app.handler('open', { description: 'Public.', input: z.object({}), public: true, tags: ['a'] }, () => ({}));
    const definition = app.operation('open')!;
    expect(definition.policy.public).toBe(true);
    expect(definition.public).toBe(true);
    expect(definition.tags).toBe(definition.policy.tags);
  });

  it('gives a native route the policy it was mounted with, and the defaults when it declares none', async () => {
    const { app, seen } = recording();
    const declared = resolvePolicy('route /status', { public: true, audit: false, limitGroup: false });
    const route = (ctx: NexusContext) => ctx.policy;
    const open = await app.dispatch({ purpose: 'route', channel: 'api', route, policy: declared });
    const plain = await app.dispatch({ purpose: 'route', channel: 'api', route });
    expect(open.ok && open.value).toBe(declared);
    expect(plain.ok && plain.value).toBe(DEFAULT_POLICY);
    expect(seen).toEqual([declared, DEFAULT_POLICY]);
  });

  it('gives unknown operations and catalogue requests the defaults', async () => {
    const { app, seen } = recording();
    await app.invoke({ channel: 'api', operation: 'no_such_operation' });
    await app.dispatch({ purpose: 'list', channel: 'api' });
    expect(seen).toEqual([DEFAULT_POLICY, DEFAULT_POLICY]);
  });

  it('never takes a policy from the caller of an operation', async () => {
    const { app, seen } = recording();
    const forged = { channel: 'api', operation: 'plain', policy: resolvePolicy('forged', { public: true, audit: false }) };
    await app.invoke(forged);
    expect(seen).toEqual([DEFAULT_POLICY]);
  });

  it.each<[string, PolicyOptions]>([
    ['a non-boolean public', { public: 'yes' as unknown as boolean }],
    ['tags that are not strings', { tags: [1] as unknown as string[] }],
    ['an empty limit group', { limitGroup: '' }],
    ['a path as limit group', { limitGroup: '/workflows/*' }],
    ['an unknown audit mode', { audit: 'bodies' as unknown as boolean }],
    ['a non-boolean tenantRequired', { tenantRequired: 'no' as unknown as boolean }],
  ])('refuses %s at registration with a setup error naming the operation', (_label, options) => {
    const app = new Nexus({ logger: silentLogger });
    let thrown: unknown;
    try {
      app.handler('bad', { description: 'Bad policy.', input: z.object({}), ...options }, () => ({}));
    } catch (error) {
      thrown = error;
    }
    expect(isNexusSetupError(thrown)).toBe(true);
    expect((thrown as Error).message).toContain('"bad"');
  });
});
