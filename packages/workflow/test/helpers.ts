import { Nexus, silentLogger } from '@nexus/core';
import type { InvocationResult, Logger } from '@nexus/core';

/**
 * An app whose tenant phase trusts the requested tenant, standing in for the auth plugin:
 * what matters here is that the workflow reads the tenant the pipeline resolved.
 */
export function createApp(options: { logger?: Logger } = {}): Nexus {
  const app = new Nexus({ logger: options.logger ?? silentLogger });
  app.use('tenant', (ctx, next) => {
    const requested = ctx.transport.requestedTenant;
    return requested === undefined ? next() : next({ tenant: { id: requested, source: 'claim' } });
  }, 'test-tenant');
  return app;
}

export function invoke(app: Nexus, operation: string, input: unknown = {}, extra: { tenant?: string; signal?: AbortSignal } = {}): Promise<InvocationResult> {
  return app.invoke({
    channel: 'test',
    operation,
    input,
    ...(extra.tenant === undefined ? {} : { transport: { requestedTenant: extra.tenant } }),
    ...(extra.signal === undefined ? {} : { signal: extra.signal }),
  });
}

/** Unwraps a successful result or fails the test with the error it carried. */
export function valueOf(result: InvocationResult): Record<string, any> {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value as Record<string, any>;
}

export function errorOf(result: InvocationResult) {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

/** Collects log records so tests can check what reached the log (and what did not reach the caller). */
export function memoryLogger(records: { level: string; message: string; fields: Record<string, unknown> }[]): Logger {
  const make = (bindings: Record<string, unknown>): Logger => ({
    debug: (message, fields) => records.push({ level: 'debug', message, fields: { ...bindings, ...fields } }),
    info: (message, fields) => records.push({ level: 'info', message, fields: { ...bindings, ...fields } }),
    warn: (message, fields) => records.push({ level: 'warn', message, fields: { ...bindings, ...fields } }),
    error: (message, fields) => records.push({ level: 'error', message, fields: { ...bindings, ...fields } }),
    child: (extra) => make({ ...bindings, ...extra }),
  });
  return make({});
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds; the deadline only keeps a broken runtime from hanging the test. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await delay(5);
  }
}
