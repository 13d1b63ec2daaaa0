import { z } from 'zod';
import { TenantRequiredError } from '@nexus/core';
import type { Nexus, NexusContext } from '@nexus/core';
import type { RecordStore } from './record-store.js';

const complianceLevel = z.enum(['standard', 'hipaa', 'gdpr']).default('standard').describe('Processing regime');
const healthStatus = z.enum(['healthy', 'degraded', 'unhealthy']);
const healthReport = z.object({ status: healthStatus, checks: z.record(z.string(), z.object({ status: healthStatus }).loose()) }).loose();
const channelState = z.enum(['running', 'down', 'not served', 'available']);
const customerRecord = z.object({ version: z.number().int(), profile: z.record(z.string(), z.unknown()), updated_at: z.string() });

/** The caller's verified tenant; an input `tenant_id` is bound to it by the tenant pipeline. */
function tenantOf(ctx: NexusContext): string {
  if (!ctx.tenant) throw new TenantRequiredError();
  return ctx.tenant.id;
}

/** The operations of the reference app: the patterns document's handlers, on every channel. */
export function registerOperations(app: Nexus, store: RecordStore): void {
  app.handler(
    'echo',
    {
      description: 'Echo a message back.',
      input: z.strictObject({ message: z.string().max(10_000).describe('Text to echo') }),
      output: z.object({ message: z.string() }),
      annotations: { title: 'Echo', readOnly: true, idempotent: true, openWorld: false },
      examples: [{ summary: 'hello', input: { message: 'hello' }, output: { message: 'hello' } }],
    },
    ({ message }) => ({ message }),
  );

  app.handler(
    'system_status',
    {
      description: 'Get system status.',
      input: z.strictObject({}),
      output: z.object({ status: healthStatus, health: healthReport }),
      annotations: { title: 'System status', readOnly: true, idempotent: true, openWorld: false },
      permission: 'read:status',
    },
    async () => {
      const health = await app.healthCheck();
      // A copy: the output schema is an open object, which the HealthReport interface does not declare itself as.
      return { status: health.status, health: { ...health } };
    },
  );

  app.handler(
    'deep_health',
    {
      description: 'Deep health check for load balancers.',
      input: z.strictObject({}),
      output: z.object({ status: z.enum(['healthy', 'unhealthy']), channels: z.object({ api: channelState, cli: channelState, mcp: channelState }) }),
      annotations: { title: 'Deep health', readOnly: true, idempotent: true, openWorld: false },
      permission: 'execute:monitoring',
    },
    async () => {
      const health = await app.healthCheck();
      // Each network channel reports its own listener; a process that does not serve one says so.
      const channel = (name: string): z.infer<typeof channelState> => {
        const check = health.checks[`channel:${name}`];
        return check === undefined ? 'not served' : check.status === 'healthy' ? 'running' : 'down';
      };
      return {
        status: health.status === 'unhealthy' ? ('unhealthy' as const) : ('healthy' as const),
        channels: { api: channel('api'), cli: 'available' as const, mcp: channel('mcp') },
      };
    },
  );

  app.handler(
    'tenant_data_processing',
    {
      description: 'Process data with tenant context.',
      input: z.strictObject({
        // The patterns document's signature, ported literally: the tenant pipeline binds this
        // field to the caller's verified tenant (filled in when absent, refused when different).
        tenant_id: z.string().min(1).max(128).optional().describe("The caller's tenant; filled in when omitted"),
        customer_id: z.string().min(1).max(256).describe('Customer to process'),
        compliance_level: complianceLevel,
      }),
      output: z.object({ tenant_id: z.string(), customer_id: z.string(), processing: complianceLevel }),
      annotations: { title: 'Process tenant data', readOnly: true, idempotent: true, openWorld: false },
    },
    ({ tenant_id, customer_id, compliance_level }, ctx) => ({ tenant_id: tenant_id ?? tenantOf(ctx), customer_id, processing: compliance_level }),
  );

  app.handler(
    'customer_upsert',
    {
      description: "Store a customer's profile in the caller's tenant.",
      input: z.strictObject({ user_id: z.string().min(1).max(256), profile: z.record(z.string(), z.unknown()).describe('Profile fields') }),
      output: z.object({ user_id: z.string(), tenant_id: z.string(), version: z.number().int() }),
      // Each call stores a new version; earlier ones are kept, so nothing is destroyed.
      annotations: { title: 'Upsert a customer', readOnly: false, destructive: false, idempotent: false, openWorld: false },
      permission: 'write:personal_data',
    },
    async ({ user_id, profile }, ctx) => {
      const tenant = tenantOf(ctx);
      return { user_id, tenant_id: tenant, version: await store.upsert(tenant, user_id, profile) };
    },
  );

  app.handler(
    'gdpr_export_user_data',
    {
      description: 'Export user data (GDPR Art. 20), from the caller\'s tenant only.',
      input: z.strictObject({ user_id: z.string().min(1).max(256), format: z.literal('json').default('json') }),
      output: z.object({ user_id: z.string(), tenant_id: z.string(), records: z.array(customerRecord), exported_at: z.string() }),
      annotations: { title: 'Export user data (GDPR)', readOnly: true, idempotent: true, openWorld: false },
      permission: 'read:personal_data',
    },
    async ({ user_id }, ctx) => {
      const tenant = tenantOf(ctx);
      return { user_id, tenant_id: tenant, records: await store.export(tenant, user_id), exported_at: new Date().toISOString() };
    },
  );

  app.handler(
    'gdpr_delete_user_data',
    {
      description: 'Delete all user data (GDPR Art. 17), in the caller\'s tenant only.',
      input: z.strictObject({ user_id: z.string().min(1).max(256) }),
      output: z.object({ user_id: z.string(), deleted: z.number().int(), gdpr_article: z.literal('17') }),
      annotations: { title: 'Delete user data (GDPR)', destructive: true, idempotent: true, openWorld: false },
      permission: 'delete:personal_data',
    },
    async ({ user_id }, ctx) => ({ user_id, deleted: await store.delete(tenantOf(ctx), user_id), gdpr_article: '17' as const }),
  );
}
