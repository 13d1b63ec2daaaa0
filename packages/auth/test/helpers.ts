import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { Nexus, silentLogger } from '@nexus/core';
import type { InvocationInit, InvocationResult } from '@nexus/core';
import { NexusAuthPlugin } from '../src/plugin.js';
import type { NexusAuthOptions } from '../src/plugin.js';

export const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';

/** An app with the plugin and two operations that echo what the pipeline resolved. */
export function appWith(options: NexusAuthOptions): { app: Nexus; plugin: NexusAuthPlugin } {
  const app = new Nexus({ logger: silentLogger });
  const plugin = new NexusAuthPlugin(options);
  app.addPlugin(plugin);
  const whoami = (_input: unknown, ctx: Parameters<Parameters<Nexus['handler']>[2]>[1]) => ({
    principal: ctx.principal?.id ?? null,
    roles: ctx.principal?.roles ?? null,
    tenant: ctx.tenant ?? null,
  });
  app.handler('whoami', { description: 'The caller.', input: z.object({}) }, whoami);
  app.handler('reports', { description: 'Reads reports.', input: z.object({}), permission: 'read:reports' }, whoami);
  app.handler('ping', { description: 'Public.', input: z.object({}), public: true }, whoami);
  return { app, plugin };
}

export function call(app: Nexus, token: string | undefined, extra: Partial<InvocationInit> = {}): Promise<InvocationResult> {
  return app.invoke({
    channel: 'test',
    operation: 'whoami',
    input: {},
    credential: token === undefined ? { kind: 'none' } : { kind: 'bearer', token },
    ...extra,
  });
}

/** The internal reason word a refusal carries in its cause (never shown to callers). */
export function reasonOf(result: InvocationResult): string | undefined {
  if (result.ok) return undefined;
  const cause = result.error.cause;
  return cause instanceof Error ? cause.message : undefined;
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Hand-builds a token, for headers and claims a well-behaved library would refuse to sign. */
export function forge(header: Record<string, unknown>, payload: Record<string, unknown>, secret?: string): string {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  const signature = secret === undefined ? '' : createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
