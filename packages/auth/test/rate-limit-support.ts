import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { ForbiddenError, Nexus, UnauthenticatedError, silentLogger } from '@nexus/core';
import type { Principal, Stage } from '@nexus/core';
import { z } from 'zod';
import { underCI } from './ci.js';

export const uniquePrefix = (label: string): string => `nexus-test:${label}:${randomBytes(6).toString('hex')}:`;

/**
 * Stand-ins for the authenticate and tenant stages, following their convention: the principal
 * and tenant go into the context and into annotations. Token format: `user:tenant:role,role`,
 * `override:<tenant>` marks an administrator acting in another tenant; `expired` is refused.
 */
export const fakeAuthenticate: Stage = async function fakeAuthenticate(ctx, next) {
  if (ctx.credential.kind !== 'bearer') return next();
  if (ctx.credential.token === 'expired') throw new UnauthenticatedError(undefined, { cause: new Error('expired') });
  const [id = '', tenant = '', roles = ''] = ctx.credential.token.split(':');
  const principal: Principal = { id, roles: roles ? roles.split(',') : [], permissions: [], claims: { tenant_id: tenant } };
  ctx.annotations.principal = principal;
  const requested = ctx.transport.requestedTenant;
  const tenantInfo = requested !== undefined && requested !== tenant && principal.roles.includes('super_admin')
    ? { id: requested, source: 'override' as const, callerTenant: tenant }
    : { id: tenant, source: 'claim' as const };
  ctx.annotations.tenant = tenantInfo;
  return next({ principal, tenant: tenantInfo });
};

/** An app with a few operations and the stand-in auth; tests add the stages under test. */
export function createTestApp(): Nexus {
  const app = new Nexus({ logger: silentLogger });
  app.use('authenticate', fakeAuthenticate);
  app.authorize((ctx, operation) => {
    if (operation.name === 'admin_only' && !ctx.principal?.roles.includes('admin')) throw new ForbiddenError(undefined, { cause: new Error('missing_permission') });
  });
  app.handler('echo', { description: 'Echo', input: z.looseObject({ message: z.string() }) }, (input) => ({ ...input }));
  app.handler('ping', { description: 'Ping', input: z.object({}) }, () => ({ pong: true }));
  app.handler('limited', { description: 'Route-limited', input: z.object({}) }, () => ({ ok: true }));
  app.handler('admin_only', { description: 'Admins', input: z.object({}) }, () => ({ ok: true }));
  app.handler('explode', { description: 'Fails', input: z.object({}) }, () => {
    throw new Error('postgres://admin:hunter2@db refused');
  });
  app.handler('wait', { description: 'Waits for cancel', input: z.object({}), timeoutMs: 5_000 }, (_input, ctx) =>
    new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true })),
  );
  return app;
}

/** One PING on a raw socket: true on +PONG within `timeoutMs`. */
function pingOnce(port: number, host: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += data.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/**
 * Whether a Redis answers PING at host:port. A refused connection answers at once; a slow
 * answer on a loaded machine gets `attempts` tries of `timeoutMs` each before it counts as absent.
 */
export async function pingRedis(port: number, host = '127.0.0.1', { timeoutMs = 3_000, attempts = 3 } = {}): Promise<boolean> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (await pingOnce(port, host, timeoutMs)) return true;
  }
  return false;
}

/**
 * The shared Redis of REDIS_URL (default 127.0.0.1:6379). Undefined when absent outside CI;
 * in CI an absent Redis is a failure, not a skip.
 */
export async function sharedRedisUrl(): Promise<string | undefined> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const parsed = new URL(url);
  if (await pingRedis(Number(parsed.port || 6379), parsed.hostname)) return url;
  if (underCI()) throw new Error(`Redis is required in CI and does not answer at ${url}`);
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of the test's own on a spare port, which the test may stop and restart. */
export class OwnRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', '/tmp'], {
      stdio: 'ignore',
    });
    this.child = child;
    const deadline = Date.now() + 15_000;
    while (!(await pingRedis(this.port, '127.0.0.1', { attempts: 1 }))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }
}

/** Polls until the condition holds; the deadline is only a backstop against hanging forever. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  // performance.now(), not Date.now(): tests that freeze Date still get a deadline.
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
