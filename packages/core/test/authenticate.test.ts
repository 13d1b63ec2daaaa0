import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, UnauthenticatedError, silentLogger } from '../src/index.js';
import type { Phase, Plugin } from '../src/index.js';

/** Accepts the token "good", refuses any other, lets anonymous catalogue requests through. */
function tokenPlugin(trace: string[]): Plugin {
  const record = (phase: Exclude<Phase, 'authorize'>): Plugin => ({
    name: `rec-${phase}`,
    setup(app) {
      app.use(phase, async (_ctx, next) => {
        trace.push(phase);
        return next();
      });
    },
  });
  return {
    name: 'token',
    setup(app) {
      for (const phase of ['observe', 'tenant', 'limit'] as const) record(phase).setup(app);
      app.use('authenticate', async (ctx, next) => {
        trace.push('authenticate');
        if (ctx.credential.kind === 'none' && ctx.purpose === 'list') return next();
        if (ctx.credential.kind === 'bearer' && ctx.credential.token === 'good') return next({ principal: { id: 'u1', roles: [], permissions: [], claims: {} } });
        throw new UnauthenticatedError();
      });
    },
  };
}

function build(trace: string[]): Nexus {
  const app = new Nexus({ logger: silentLogger });
  app.addPlugin(tokenPlugin(trace));
  app.handler('op', { description: 'd', input: z.object({}) }, () => ({}));
  return app;
}

describe("dispatch({ purpose: 'authenticate' })", () => {
  it('resolves the principal of a good credential running only the authenticate phase', async () => {
    const trace: string[] = [];
    const result = await build(trace).dispatch({ purpose: 'authenticate', channel: 't', credential: { kind: 'bearer', token: 'good' }, requestId: 'check-1' });
    expect(result).toMatchObject({ ok: true, requestId: 'check-1', value: { id: 'u1' } });
    expect(trace).toEqual(['authenticate']);
  });

  it('refuses a bad credential with UNAUTHENTICATED, never throws, and lets the observe phase see the refusal', async () => {
    const trace: string[] = [];
    const app = build(trace);
    const seen: unknown[] = [];
    app.use('observe', async (ctx, next) => {
      try {
        return await next();
      } catch (error) {
        seen.push({ operation: ctx.operation, code: (error as UnauthenticatedError).code });
        throw error;
      }
    });
    const result = await app.dispatch({ purpose: 'authenticate', channel: 't', credential: { kind: 'bearer', token: 'forged' } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('UNAUTHENTICATED');
    // The refused credential is observed (audited) once; an accepted one never is.
    expect(trace).toEqual(['authenticate', 'observe']);
    expect(seen).toEqual([{ operation: '$list', code: 'UNAUTHENTICATED' }]);
  });

  it('judges an absent credential as a catalogue request would', async () => {
    const result = await build([]).dispatch({ purpose: 'authenticate', channel: 't', credential: { kind: 'none' } });
    expect(result).toMatchObject({ ok: true, value: undefined });
  });

  it('judges an absent credential as a native route would when asked to', async () => {
    const trace: string[] = [];
    const result = await build(trace).dispatch({ purpose: 'authenticate', as: 'route', channel: 't', credential: { kind: 'none' } });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(trace).toEqual(['authenticate', 'observe']);
  });

  it('counts no request in the metrics', async () => {
    const app = build([]);
    await app.dispatch({ purpose: 'authenticate', channel: 't', credential: { kind: 'bearer', token: 'forged' } });
    const text = await app.metrics.registry.metrics();
    expect(text).not.toMatch(/channel="t"/);
  });
});

describe('app.requiresAuthentication', () => {
  it('is false without an authenticate stage and true once a plugin adds one', () => {
    const plain = new Nexus({ logger: silentLogger });
    expect(plain.requiresAuthentication).toBe(false);
    expect(build([]).requiresAuthentication).toBe(true);
  });

  it('can be set by a plugin either way', () => {
    const app = build([]);
    app.requiresAuthentication = false;
    expect(app.requiresAuthentication).toBe(false);
    const plain = new Nexus({ logger: silentLogger });
    plain.requiresAuthentication = true;
    expect(plain.requiresAuthentication).toBe(true);
  });
});
