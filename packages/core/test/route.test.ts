import { describe, expect, it } from '@jest/globals';
import { ForbiddenError, Nexus, UnauthenticatedError, silentLogger } from '../src/index.js';
import { ROUTE_OPERATION } from '../src/nexus.js';
import type { NexusContext } from '../src/index.js';

function appWithAuth(trace: string[]) {
  const app = new Nexus({ logger: silentLogger });
  app.use('authenticate', async (ctx, next) => {
    trace.push(`authenticate:${ctx.purpose}:${ctx.operation}`);
    if (ctx.credential.kind !== 'bearer') throw new UnauthenticatedError();
    return next({ principal: { id: ctx.credential.token, roles: [], permissions: [], claims: {} } });
  });
  app.use('validate', async (_ctx, next) => {
    trace.push('validate');
    return next();
  });
  app.authorize((ctx, operation) => {
    trace.push(`authorize:${operation.permission}`);
    if (ctx.principal?.id !== 'admin') throw new ForbiddenError();
  });
  return app;
}

describe('native routes', () => {
  it('admits a route through the phases before authorize and hands the route the resolved context', async () => {
    const trace: string[] = [];
    const app = appWithAuth(trace);
    const result = await app.dispatch({ purpose: 'route', channel: 'api', credential: { kind: 'bearer', token: 'u1' }, route: (ctx: NexusContext) => ({ who: ctx.principal?.id, purpose: ctx.purpose }) });
    expect(result.ok && result.value).toEqual({ who: 'u1', purpose: 'route' });
    expect(trace).toEqual([`authenticate:route:${ROUTE_OPERATION}`]);
  });

  it('returns the refusal of a stage instead of running the route', async () => {
    const app = appWithAuth([]);
    let ran = false;
    const result = await app.dispatch({
      purpose: 'route',
      channel: 'api',
      route: () => {
        ran = true;
      },
    });
    expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
    expect(ran).toBe(false);
  });

  it('asks the authorizers about a permission for a route', async () => {
    const trace: string[] = [];
    const app = appWithAuth(trace);
    const denied = await app.dispatch({ purpose: 'route', channel: 'api', credential: { kind: 'bearer', token: 'u1' }, route: (ctx) => app.checkPermission(ctx, 'read:reports') });
    expect(!denied.ok && denied.error.code).toBe('FORBIDDEN');
    const allowed = await app.dispatch({ purpose: 'route', channel: 'api', credential: { kind: 'bearer', token: 'admin' }, route: (ctx) => app.checkPermission(ctx, 'read:reports') });
    expect(allowed.ok).toBe(true);
    expect(trace.filter((step) => step.startsWith('authorize'))).toEqual(['authorize:read:reports', 'authorize:read:reports']);
  });
});
