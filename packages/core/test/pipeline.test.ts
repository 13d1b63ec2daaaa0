import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ForbiddenError, Nexus, UnauthenticatedError, silentLogger } from '../src/index.js';
import type { Phase, Plugin } from '../src/index.js';

function recorder(phase: Exclude<Phase, 'authorize'>, trace: string[]): Plugin {
  return {
    name: `rec-${phase}`,
    setup(app) {
      app.use(phase, async (_ctx, next) => {
        trace.push(phase);
        return next();
      });
    },
  };
}

function build(phases: Exclude<Phase, 'authorize'>[], trace: string[]) {
  const app = new Nexus({ logger: silentLogger });
  for (const phase of phases) app.addPlugin(recorder(phase, trace));
  app.authorize(() => {
    trace.push('authorize');
  });
  app.handler('op', { description: 'd', input: z.object({}) }, () => {
    trace.push('handler');
    return { done: true };
  });
  return app;
}

describe('the pipeline', () => {
  it('runs phases in their fixed order whatever order plugins were added in', async () => {
    const forward: string[] = [];
    const backward: string[] = [];
    await build(['observe', 'authenticate', 'tenant', 'limit', 'validate'], forward).invoke({ channel: 't', operation: 'op' });
    await build(['validate', 'limit', 'tenant', 'authenticate', 'observe'], backward).invoke({ channel: 't', operation: 'op' });
    const expected = ['observe', 'authenticate', 'tenant', 'limit', 'authorize', 'validate', 'handler'];
    expect(forward).toEqual(expected);
    expect(backward).toEqual(expected);
  });

  it('lets a stage extend the context for later stages and the handler', async () => {
    const app = new Nexus({ logger: silentLogger });
    app.use('authenticate', (_ctx, next) => next({ principal: { id: 'u1', roles: ['r'], permissions: [], claims: {} } }));
    app.handler('who', { description: 'd', input: z.object({}) }, (_input, ctx) => ({ id: ctx.principal?.id }));
    expect(await app.invoke({ channel: 't', operation: 'who' })).toMatchObject({ ok: true, value: { id: 'u1' } });
  });

  it('turns a stage calling next() twice into an internal error', async () => {
    const app = new Nexus({ logger: silentLogger });
    app.use('observe', async (_ctx, next) => {
      await next();
      return next();
    }, 'twice');
    app.handler('op', { description: 'd', input: z.object({}) }, () => ({}));
    const result = await app.invoke({ channel: 't', operation: 'op' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('INTERNAL');
  });

  it('checks authorization before validation, so refused callers never see schema errors', async () => {
    const app = new Nexus({ logger: silentLogger });
    app.authorize(() => {
      throw new ForbiddenError();
    });
    app.handler('op', { description: 'd', input: z.object({ x: z.number() }) }, () => ({}));
    const result = await app.invoke({ channel: 't', operation: 'op', input: { x: 'nope' } });
    expect(!result.ok && result.error.code).toBe('FORBIDDEN');
  });

  it('answers unknown operations only after authentication', async () => {
    const app = new Nexus({ logger: silentLogger });
    app.use('authenticate', (ctx, next) => (ctx.credential.kind === 'none' ? Promise.reject(new UnauthenticatedError()) : next()));
    const anonymous = await app.invoke({ channel: 't', operation: 'missing' });
    const known = await app.invoke({ channel: 't', operation: 'missing', credential: { kind: 'bearer', token: 't' } });
    expect(!anonymous.ok && anonymous.error.code).toBe('UNAUTHENTICATED');
    expect(!known.ok && known.error.code).toBe('NOT_FOUND');
  });

  it('skips authorizers for public operations but keeps their guards', async () => {
    const app = new Nexus({ logger: silentLogger });
    app.authorize(() => {
      throw new ForbiddenError();
    });
    app.handler('open', { description: 'd', input: z.object({}), public: true }, () => ({ open: true }));
    app.handler('guarded', { description: 'd', input: z.object({}), public: true, guards: [() => { throw new ForbiddenError('guarded'); }] }, () => ({}));
    expect((await app.invoke({ channel: 't', operation: 'open' })).ok).toBe(true);
    const guarded = await app.invoke({ channel: 't', operation: 'guarded' });
    expect(!guarded.ok && guarded.error.message).toBe('guarded');
  });

  it('filters listings with the same authorizers', async () => {
    const app = new Nexus({ logger: silentLogger });
    app.authorize((_ctx, operation) => {
      if (operation.permission !== 'execute:visible') throw new ForbiddenError();
    });
    app.handler('visible', { description: 'd', input: z.object({}) }, () => ({}));
    app.handler('hidden', { description: 'd', input: z.object({}) }, () => ({}));
    const listed = await app.dispatch({ purpose: 'list',  channel: 't' });
    expect(listed.ok && listed.value.map((operation) => operation.name)).toEqual(['visible']);
  });

  it('applies schema defaults before the handler runs', async () => {
    const app = new Nexus({ logger: silentLogger });
    app.handler('d', { description: 'd', input: z.object({ level: z.string().default('standard') }) }, (input) => input);
    expect(await app.invoke({ channel: 't', operation: 'd' })).toMatchObject({ ok: true, value: { level: 'standard' } });
  });

  it.each([
    ['a BigInt', () => ({ n: 10n })],
    ['a cycle', () => {
      const node: Record<string, unknown> = {};
      node.self = node;
      return node;
    }],
  ])('answers INTERNAL, inside the pipeline, for a result holding %s', async (_label, result) => {
    const app = new Nexus({ logger: silentLogger });
    const seen: string[] = [];
    app.use('observe', async (_ctx, next) => {
      try {
        return await next();
      } catch (error) {
        seen.push((error as { code: string }).code);
        throw error;
      }
    });
    app.handler('odd', { description: 'd', input: z.object({}) }, result);
    const outcome = await app.invoke({ channel: 't', operation: 'odd' });
    expect(!outcome.ok && outcome.error.code).toBe('INTERNAL');
    expect(!outcome.ok && outcome.error.message).not.toMatch(/BigInt|circular/i);
    expect(seen).toEqual(['INTERNAL']);
  });

  it('refuses a result that fails the output schema as INTERNAL', async () => {
    const app = new Nexus({ logger: silentLogger });
    // @ts-expect-error the types already refuse this return; the run-time check is what is proven here
    app.handler('bad', { description: 'd', input: z.object({}), output: z.object({ n: z.number() }) }, () => ({ n: 'x' }));
    const result = await app.invoke({ channel: 't', operation: 'bad' });
    expect(!result.ok && result.error.code).toBe('INTERNAL');
  });
});
