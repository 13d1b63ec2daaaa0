import { z } from 'zod';
import { Nexus, UnauthenticatedError, silentLogger } from '@nexus/core';
import type { Plugin } from '@nexus/core';

export const GOOD_TOKEN = 'good-token';

/**
 * A minimal bearer check standing in for the auth plugin: one accepted token, every other
 * token refused, no token anonymous (so only public operations run).
 */
export const tokenPlugin: Plugin = {
  name: 'test-token',
  setup(app) {
    app.use('authenticate', async (ctx, next) => {
      if (ctx.credential.kind === 'none') return next();
      if (ctx.credential.kind === 'bearer' && ctx.credential.token === GOOD_TOKEN) {
        return next({ principal: { id: 'user-1', roles: ['caller'], permissions: ['*'], claims: {} } });
      }
      throw new UnauthenticatedError();
    });
    app.authorize((ctx) => {
      if (!ctx.principal) throw new UnauthenticatedError();
    });
  },
};

/** A small app with the shapes the MCP-specific tests need. */
export function createTestApp(options: { auth?: boolean } = {}): Nexus {
  const app = new Nexus({ logger: silentLogger });
  if (options.auth) app.addPlugin(tokenPlugin);
  app.handler('echo', { description: 'Returns its message.', input: z.object({ message: z.string() }) }, ({ message }) => ({ message }));
  app.handler('count', { description: 'Returns a bare number.', input: z.object({}) }, () => 42);
  app.handler(
    'shape',
    { description: 'Takes one of two input shapes.', input: z.union([z.object({ radius: z.number() }), z.object({ side: z.number() })]) },
    (input) => input,
  );
  app.handler('public_ping', { description: 'Needs no credential.', input: z.object({}), public: true }, () => ({ pong: true }));
  app.handler('trace', { description: 'Returns the correlation it saw.', input: z.object({}) }, (_input, ctx) => ({
    requestId: ctx.requestId,
    traceparent: ctx.traceparent ?? null,
    tenant: ctx.transport.requestedTenant ?? null,
  }));
  app.handler('progress', { description: 'Reports progress three times.', input: z.object({}) }, async (_input, ctx) => {
    for (let step = 1; step <= 3; step++) {
      ctx.progress(step, 3, `step ${step}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { done: true };
  });
  return app;
}
