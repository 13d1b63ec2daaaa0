import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ForbiddenError, Nexus, UnauthenticatedError, silentLogger } from '../src/index.js';
import type { NexusRequest, NexusResult, OperationDescriptor, Principal } from '../src/index.js';

function createApp(): Nexus {
  const app = new Nexus({ logger: silentLogger });
  app.use('authenticate', async (ctx, next) => {
    if (ctx.credential.kind === 'none' && ctx.purpose === 'list') return next();
    if (ctx.credential.kind !== 'bearer') throw new UnauthenticatedError();
    return next({ principal: { id: ctx.credential.token, roles: [], permissions: [], claims: {} } });
  });
  app.authorize((ctx, operation) => {
    if (operation.permission === 'execute:secret' && ctx.principal?.id !== 'admin') throw new ForbiddenError();
  });
  app.handler('echo', { description: 'Echo', input: z.object({ message: z.string() }) }, (input) => input);
  app.handler('secret', { description: 'Admins only', input: z.object({}) }, () => ({ ok: true }));
  return app;
}

const bearer = (token: string) => ({ kind: 'bearer' as const, token });

describe('app.dispatch: one entry point, one result type', () => {
  it('runs an operation', async () => {
    const result = await createApp().dispatch({ purpose: 'invoke', channel: 'test', operation: 'echo', input: { message: 'hi' }, credential: bearer('u1') });
    expect(result).toMatchObject({ ok: true, value: { message: 'hi' } });
    expect(typeof result.durationMs).toBe('number');
  });

  it('lists what the caller may invoke, typed as descriptors', async () => {
    const app = createApp();
    const user = await app.dispatch({ purpose: 'list', channel: 'test', credential: bearer('u1') });
    const names: string[] = user.ok ? user.value.map((operation: OperationDescriptor) => operation.name) : [];
    expect(names).toEqual(['echo']);
    const admin = await app.dispatch({ purpose: 'list', channel: 'test', credential: bearer('admin') });
    expect(admin.ok && admin.value.map((operation) => operation.name)).toEqual(['echo', 'secret']);
  });

  it('admits a native route and answers with what the route returned', async () => {
    const result = await createApp().dispatch({ purpose: 'route', channel: 'test', credential: bearer('u1'), route: (ctx) => ctx.principal?.id });
    expect(result).toMatchObject({ ok: true, value: 'u1' });
  });

  it('judges a credential alone and answers with the principal', async () => {
    const app = createApp();
    const accepted = await app.dispatch({ purpose: 'authenticate', channel: 'test', credential: bearer('u1') });
    const principal: Principal | undefined = accepted.ok ? accepted.value : undefined;
    expect(principal?.id).toBe('u1');
    const refused = await app.dispatch({ purpose: 'authenticate', as: 'route', channel: 'test' });
    expect(!refused.ok && refused.error.code).toBe('UNAUTHENTICATED');
  });

  it('submits an operation as a job and answers with its id', async () => {
    const app = createApp();
    app.handler('slow_report', { description: 'Runs later', input: z.object({}), longRunning: true }, () => ({ done: true }));
    const result = await app.dispatch({ purpose: 'submit', channel: 'test', operation: 'slow_report', credential: bearer('u1') });
    expect(result.ok && typeof (result.value as { operationId?: unknown }).operationId).toBe('string');
    await app.stop();
  });

  it.each<[string, NexusRequest]>([
    ['invoke', { purpose: 'invoke', channel: 'test', operation: 'secret', credential: bearer('u1') }],
    ['list', { purpose: 'list', channel: 'test', credential: { kind: 'invalid' } }],
    ['route', { purpose: 'route', channel: 'test', route: () => 1 }],
    ['authenticate', { purpose: 'authenticate', channel: 'test', credential: { kind: 'api-key', key: 'k' } }],
  ])('answers a refused %s with the same failure shape, never by throwing', async (_purpose, request) => {
    const result: NexusResult = await createApp().dispatch(request);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result).sort()).toEqual(['annotations', 'durationMs', 'error', 'ok', 'requestId']);
  });

});
