import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, silentLogger } from '../src/index.js';
import type { HandlerContext, NexusContext } from '../src/index.js';

// These cases are checked by `tsc -p tsconfig.test.json` (the typecheck step): every expect-error
// directive below fails the build if the types stop refusing what it marks.
describe('handler types', () => {
  it('types the principal as present for non-public operations of an authenticated app', () => {
    const app = new Nexus<{ authenticated: true; extensions: { flags: { beta: boolean } } }>({ logger: silentLogger });
    app.handler('me', { description: 'd', input: z.object({}) }, (_input, ctx) => ({ id: ctx.principal.id, beta: ctx.extensions.flags.beta }));
    app.handler('open', { description: 'd', input: z.object({}), public: true }, (_input, ctx) => {
      // @ts-expect-error a public operation may run without a principal
      return ctx.principal.id;
    });
    expect(app.operation('me')?.public).toBe(false);
  });

  it('keeps the principal optional when the app does not declare authentication', () => {
    const app = new Nexus({ logger: silentLogger });
    app.handler('me', { description: 'd', input: z.object({}) }, (_input, ctx) => {
      // @ts-expect-error nothing promises an authenticate stage
      return ctx.principal.id;
    });
    app.handler('me2', { description: 'd', input: z.object({}) }, (_input, ctx: NexusContext) => ctx.principal?.id ?? null);
    expect(app.allOperations()).toHaveLength(2);
  });

  it('checks a handler result against its output schema', () => {
    const app = new Nexus({ logger: silentLogger });
    app.handler('ok', { description: 'd', input: z.object({ n: z.number() }), output: z.object({ doubled: z.number() }) }, ({ n }) => ({ doubled: n * 2 }));
    // @ts-expect-error the output schema wants a number
    app.handler('bad', { description: 'd', input: z.object({}), output: z.object({ doubled: z.number() }) }, () => ({ doubled: 'two' }));
    app.handler('free', { description: 'd', input: z.object({}) }, () => 'anything without an output schema');
    expect(app.allOperations()).toHaveLength(3);
  });

  it('gives the handler context type by name for helpers', () => {
    const helper = (ctx: HandlerContext<{ authenticated: true }, false>) => ctx.principal.roles;
    expect(typeof helper).toBe('function');
  });
});
