import { z } from 'zod';
import { TenantRequiredError } from '@nexus/core';
import type { Nexus } from '@nexus/core';

const STEPS = 4;

/**
 * `tenant_report`: a long-running operation, so every channel answers with an operation id at
 * once and the report is built on a worker. `delay_ms` spreads the work over the steps, so
 * progress and cancellation can be watched.
 */
export function registerTenantReport(app: Nexus): void {
  app.handler(
    'tenant_report',
    {
      description: 'Build a report of the tenant\'s records over the last `days` days (runs as a job).',
      longRunning: true,
      permission: 'read:reports',
      input: z.strictObject({
        days: z.number().int().min(1).max(365).describe('Days covered'),
        delay_ms: z.number().int().min(0).max(60_000).optional().describe('Time the report takes, spread over its steps'),
      }),
      output: z.object({ tenant_id: z.string(), days: z.number().int(), records: z.number().int(), generated_at: z.string() }),
      annotations: { title: 'Tenant report', readOnly: true, idempotent: true, openWorld: false },
    },
    async ({ days, delay_ms: delayMs = 0 }, ctx) => {
      if (!ctx.tenant) throw new TenantRequiredError();
      for (let step = 1; step <= STEPS; step++) {
        if (delayMs > 0) await pause(delayMs / STEPS, ctx.signal);
        ctx.progress({ current: step, total: STEPS, message: `step ${step} of ${STEPS}` });
      }
      return { tenant_id: ctx.tenant.id, days, records: days * 24, generated_at: new Date().toISOString() };
    },
  );
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
