import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Admission, ForbiddenError, Nexus, UnauthenticatedError, silentLogger } from '../src/index.js';

function tracedApp(trace: string[]) {
  const app = new Nexus({ logger: silentLogger });
  app.use('observe', async function observe(ctx, next) {
    try {
      const value = await next();
      trace.push(`observe:ok:${ctx.operation}`);
      return value;
    } catch (error) {
      trace.push(`observe:${(error as { code?: string }).code}`);
      throw error;
    }
  });
  app.use('authenticate', async (ctx, next) => {
    trace.push('authenticate');
    if (ctx.credential.kind !== 'bearer') throw new UnauthenticatedError();
    return next({ principal: { id: ctx.credential.token, roles: [], permissions: [], claims: {} } });
  });
  app.use('limit', async (_ctx, next) => {
    trace.push('limit');
    return next();
  });
  app.authorize(() => void trace.push('authorize'));
  app.use('validate', async (_ctx, next) => {
    trace.push('validate');
    return next();
  });
  app.handler('op', { description: 'Traced.', input: z.object({ n: z.number() }) }, ({ n }) => {
    trace.push('handler');
    return { n };
  });
  return app;
}

const caller = { channel: 'native', credential: { kind: 'bearer', token: 'u1' } } as const;

describe('an admission: the context handed back to the channel between limit and authorize', () => {
  it('hands back the admitted context after the limit phase, then the call goes on when the channel proceeds', async () => {
    const trace: string[] = [];
    const app = tracedApp(trace);
    const admission = new Admission();
    const done = app.dispatch({ ...caller, purpose: 'invoke', operation: 'op', input: { n: 1 }, admission });
    const ctx = await admission.admitted;
    expect(ctx?.principal?.id).toBe('u1');
    expect(trace).toEqual(['authenticate', 'limit']);
    admission.proceed();
    const result = await done;
    expect(result.ok && result.value).toEqual({ n: 1 });
    expect(trace).toEqual(['authenticate', 'limit', 'authorize', 'validate', 'handler', 'observe:ok:op']);
  });

  it('ends the call with the refusal the channel reports: the handler never runs and the observe phase sees the error', async () => {
    const trace: string[] = [];
    const app = tracedApp(trace);
    const admission = new Admission();
    const done = app.dispatch({ ...caller, purpose: 'invoke', operation: 'op', input: { n: 1 }, admission });
    await admission.admitted;
    admission.refuse(new ForbiddenError('Refused by native policy.'));
    const result = await done;
    expect(!result.ok && [result.error.code, result.error.message]).toEqual(['FORBIDDEN', 'Refused by native policy.']);
    expect(trace).toEqual(['authenticate', 'limit', 'observe:FORBIDDEN']);
  });

  it('ends the call with the answer the channel gave itself', async () => {
    const trace: string[] = [];
    const app = tracedApp(trace);
    const admission = new Admission();
    const done = app.dispatch({ ...caller, purpose: 'invoke', operation: 'op', input: { n: 1 }, admission });
    await admission.admitted;
    admission.answer({ answered: 'natively' });
    const result = await done;
    expect(result.ok && result.value).toEqual({ answered: 'natively' });
    expect(trace).not.toContain('handler');
  });

  it('settles admitted with undefined when a stage refused the call first', async () => {
    const trace: string[] = [];
    const app = tracedApp(trace);
    const admission = new Admission();
    const done = app.dispatch({ channel: 'native', purpose: 'invoke', operation: 'op', input: { n: 1 }, admission });
    expect(await admission.admitted).toBeUndefined();
    const result = await done;
    expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
    expect(trace).toEqual(['authenticate', 'observe:UNAUTHENTICATED']);
  });

  it('admits after every limit stage, also those added after the channel', async () => {
    const trace: string[] = [];
    const app = tracedApp(trace);
    app.use('limit', async (_ctx, next) => {
      trace.push('late-limit');
      return next();
    });
    const admission = new Admission();
    const done = app.dispatch({ ...caller, purpose: 'invoke', operation: 'op', input: { n: 2 }, admission });
    await admission.admitted;
    expect(trace).toEqual(['authenticate', 'limit', 'late-limit']);
    admission.proceed();
    expect((await done).ok).toBe(true);
  });

  it('answers an unknown operation with NOT_FOUND before admitting it', async () => {
    const app = tracedApp([]);
    const admission = new Admission();
    const done = app.dispatch({ ...caller, purpose: 'invoke', operation: 'missing', admission });
    expect(await admission.admitted).toBeUndefined();
    expect(((await done) as { error?: { code: string } }).error?.code).toBe('NOT_FOUND');
  });

  it('admits a catalogue request and a native route the same way', async () => {
    const trace: string[] = [];
    const app = tracedApp(trace);
    const listing = new Admission();
    const listed = app.dispatch({ ...caller, purpose: 'list', admission: listing });
    expect((await listing.admitted)?.purpose).toBe('list');
    listing.proceed();
    const catalogue = await listed;
    expect(catalogue.ok && catalogue.value.map((operation) => operation.name)).toEqual(['op']);

    const routing = new Admission();
    const routed = app.dispatch({ ...caller, purpose: 'route', admission: routing });
    expect((await routing.admitted)?.purpose).toBe('route');
    routing.answer('served');
    const route = await routed;
    expect(route.ok && route.value).toBe('served');
  });

  it('submits a job only when the channel proceeds', async () => {
    const app = tracedApp([]);
    const refused = new Admission();
    const first = app.dispatch({ ...caller, purpose: 'submit', operation: 'op', input: { n: 3 }, admission: refused });
    await refused.admitted;
    refused.refuse(new ForbiddenError());
    expect(((await first) as { error?: { code: string } }).error?.code).toBe('FORBIDDEN');
    const jobs = await app.jobs.list({ channel: 'native', credential: caller.credential });
    expect(jobs.ok && jobs.value).toEqual({ operations: [] });

    const allowed = new Admission();
    const second = app.dispatch({ ...caller, purpose: 'submit', operation: 'op', input: { n: 3 }, admission: allowed });
    await allowed.admitted;
    allowed.proceed();
    const submitted = await second;
    expect(submitted.ok && (submitted.value as { status: string }).status).toMatch(/queued|running|succeeded/);
    await app.stop();
  });

  it('takes the first decision only', async () => {
    const app = tracedApp([]);
    const admission = new Admission();
    const done = app.dispatch({ ...caller, purpose: 'invoke', operation: 'op', input: { n: 4 }, admission });
    await admission.admitted;
    admission.proceed();
    admission.refuse(new ForbiddenError());
    expect((await done).ok).toBe(true);
  });
});
