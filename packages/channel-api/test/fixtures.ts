import { z } from 'zod';
import { ForbiddenError, Nexus, RateLimitedError, UnauthenticatedError, silentLogger } from '@nexus/core';
import type { NexusContext, NexusOptions, Plugin, RunnableWorkflow } from '@nexus/core';

/**
 * A tiny stand-in for an auth plugin so channel behaviour can be tested without policy code:
 * token `id|role1,role2|tenant|perm1,perm2`, `bad` is refused, whatever declares `public`
 * (an operation, a built-in or mounted route) admits anonymous callers.
 */
export function testAuth(): Plugin {
  return {
    name: 'test-auth',
    setup(app) {
      app.use('authenticate', async (ctx, next) => {
        if (ctx.credential.kind !== 'bearer') {
          if (ctx.policy.public) return next();
          throw new UnauthenticatedError();
        }
        const [id, roles = '', tenant = '', permissions = ''] = ctx.credential.token.split('|');
        if (id === 'bad' || id === undefined) throw new UnauthenticatedError();
        const split = (value: string) => (value === '' ? [] : value.split(','));
        const principal = { id, roles: split(roles), permissions: split(permissions), claims: { tenant } };
        return next({ principal, ...(tenant ? { tenant: { id: tenant, source: 'claim' as const } } : {}) });
      });
      app.use('tenant', async (ctx, next) => {
        if (ctx.tenant) ctx.annotations.tenant = ctx.tenant;
        return next();
      });
      app.use('limit', async (ctx, next) => {
        ctx.annotations.rateLimit = { limit: 10, remaining: 7, reset: Math.floor(Date.now() / 1000) + 60 };
        if (ctx.operation === 'limited') throw new RateLimitedError(12.2);
        return next();
      });
      app.authorize((ctx, operation) => {
        const held = ctx.principal?.permissions ?? [];
        if (!held.includes('*') && !held.includes(operation.permission)) throw new ForbiddenError();
      });
    },
  };
}

const workflow: RunnableWorkflow = {
  kind: 'workflow',
  async run(inputs) {
    return { double: { value: Number(inputs.n ?? 0) * 2 } };
  },
  toJSON: () => ({
    nodes: [{ id: 'input', kind: 'input' }, { id: 'double', kind: 'task' }],
    edges: [{ from: 'input', to: 'double' }],
  }),
};

/**
 * Holds `wait` calls (input `{ gate: id }`) until the test opens the gate, so a test knows which
 * calls are in flight, and that they stay so, without guessing at timings.
 */
export interface Gate {
  readonly id: string;
  /** Settles once `count` calls have reached the handler and are waiting. */
  arrived(count: number): Promise<void>;
  open(): void;
}

const gates = new Map<string, { arrivals: number; opened: Promise<void>; open(): void; notify(): void }>();
let nextGate = 0;

export function createGate(): Gate {
  const id = `gate-${++nextGate}`;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const watchers = new Set<() => void>();
  const state = { arrivals: 0, opened, open, notify: () => watchers.forEach((watch) => watch()) };
  gates.set(id, state);
  return {
    id,
    arrived: (count) =>
      new Promise<void>((resolve) => {
        const watch = () => {
          if (state.arrivals < count) return;
          watchers.delete(watch);
          resolve();
        };
        watchers.add(watch);
        watch();
      }),
    open,
  };
}

/** An app with a few operations that expose what the channel put into the context. */
export function createTestApp(options: { auth?: boolean; nexus?: NexusOptions } = {}): Nexus {
  const app = new Nexus({ logger: silentLogger, ...options.nexus });
  if (options.auth) app.addPlugin(testAuth());
  app.handler('echo', { description: 'Echoes.', input: z.object({ message: z.string() }) }, ({ message }) => ({ message }));
  app.handler('answer', { description: 'A bare number.', input: z.object({}) }, () => 42);
  app.handler('context', { description: 'What the channel mapped.', input: z.object({}), public: true }, (_input, ctx: NexusContext) => ({
    credential: ctx.credential,
    clientAddress: ctx.clientAddress ?? null,
    traceparent: ctx.traceparent ?? null,
    transport: { method: ctx.transport.method, path: ctx.transport.path, requestedTenant: ctx.transport.requestedTenant ?? null, headers: ctx.transport.headers },
    requestId: ctx.requestId,
    channel: ctx.channel,
  }));
  app.handler('limited', { description: 'Always rate limited by the test plugin.', input: z.object({}) }, () => ({}));
  app.handler('boom', { description: 'Throws with a secret.', input: z.object({}) }, () => {
    throw new Error('password=swordfish');
  });
  app.handler('wait', { description: 'Waits until its gate opens.', input: z.object({ gate: z.string() }), public: true }, async ({ gate }, ctx) => {
    const state = gates.get(gate);
    if (state === undefined) throw new Error(`no gate ${gate}`);
    state.arrivals++;
    state.notify();
    await new Promise<void>((resolve, reject) => {
      void state.opened.then(resolve);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
    return { released: gate };
  });
  app.register('doubler', workflow, { description: 'Doubles n.', input: z.object({ n: z.number() }) });
  return app;
}

/** A bearer token for `testAuth`. */
export const token = (id: string, permissions: string[] = ['*'], roles: string[] = [], tenant = 't1') =>
  `${id}|${roles.join(',')}|${tenant}|${permissions.join(',')}`;
