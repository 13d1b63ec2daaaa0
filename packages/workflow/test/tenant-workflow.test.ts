import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { WorkflowBuilder } from '@nexus/workflow';
import { createApp, errorOf, invoke, valueOf } from './helpers.js';

// The patterns document's tenant_workflow, with its Python code node written as JavaScript.
const TENANT_CODE = `
const tenant = typeof tenant_id === 'undefined' ? 'unknown' : tenant_id;
const level = typeof compliance_level === 'undefined' ? 'standard' : compliance_level;
result = { tenant_id: tenant, compliance_level: level };
`;

function tenantApp(options: Parameters<ReturnType<typeof createApp>['register']>[2] = {}) {
  const app = createApp();
  const tenantWorkflow = new WorkflowBuilder();
  tenantWorkflow.addNode('CodeNode', 'process_tenant_data', { code: TENANT_CODE });
  app.register('tenant_workflow', tenantWorkflow.build(), options);
  return app;
}

describe('the tenant_workflow example', () => {
  it('reads tenant_id from the caller\'s resolved tenant and compliance_level from the input', async () => {
    const result = valueOf(await invoke(tenantApp(), 'tenant_workflow', { compliance_level: 'hipaa' }, { tenant: 'acme' }));
    expect(result.process_tenant_data).toEqual({ tenant_id: 'acme', compliance_level: 'hipaa' });
  });

  it('falls back to the code\'s defaults when neither a tenant nor the input is given', async () => {
    const result = valueOf(await invoke(tenantApp(), 'tenant_workflow', {}));
    expect(result.process_tenant_data).toEqual({ tenant_id: 'unknown', compliance_level: 'standard' });
  });

  it('ignores a tenant_id in the request: the resolved tenant wins', async () => {
    const result = valueOf(await invoke(tenantApp(), 'tenant_workflow', { tenant_id: 'victim' }, { tenant: 'acme' }));
    expect(result.process_tenant_data.tenant_id).toBe('acme');
  });

  it('never lets a request-supplied tenant_id through when no tenant was resolved', async () => {
    const result = valueOf(await invoke(tenantApp(), 'tenant_workflow', { tenant_id: 'victim' }));
    expect(result.process_tenant_data.tenant_id).toBe('unknown');
  });

  it('validates against an explicit input schema before any node runs', async () => {
    const app = tenantApp({ input: z.object({ compliance_level: z.enum(['standard', 'hipaa', 'gdpr']).optional() }) });
    const error = errorOf(await invoke(app, 'tenant_workflow', { compliance_level: 'lax' }, { tenant: 'acme' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.errors?.[0]?.path).toBe('compliance_level');
    const ok = valueOf(await invoke(app, 'tenant_workflow', { compliance_level: 'gdpr' }, { tenant: 'acme' }));
    expect(ok.process_tenant_data).toEqual({ tenant_id: 'acme', compliance_level: 'gdpr' });
  });

  it('is an operation of kind workflow with permission execute:tenant_workflow and an open input', async () => {
    const app = tenantApp();
    const listed = await app.dispatch({ purpose: 'list',  channel: 'test' });
    if (!listed.ok) throw listed.error;
    const entry = listed.value.find((operation) => operation.name === 'tenant_workflow');
    expect(entry?.kind).toBe('workflow');
    expect(entry?.permission).toBe('execute:tenant_workflow');
    expect(entry?.inputSchema.type).toBe('object');
    expect(entry?.workflow).toMatchObject({ nodes: [{ id: 'process_tenant_data', type: 'CodeNode' }], edges: [] });
  });
});
