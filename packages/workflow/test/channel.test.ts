import { afterAll, describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import { createMemoryChannel } from '@nexus/core/testing';
import { WorkflowBuilder } from '@nexus/workflow';

const app = new Nexus({ logger: silentLogger });
const channel = createMemoryChannel();
app.use('tenant', (ctx, next) => next({ tenant: { id: 'acme', source: 'claim' } }));
app.register('tenant_workflow', new WorkflowBuilder()
  .addNode('CodeNode', 'process_tenant_data', {
    code: "result = { tenant_id: typeof tenant_id === 'undefined' ? 'unknown' : tenant_id, compliance_level: typeof compliance_level === 'undefined' ? 'standard' : compliance_level }",
  })
  .build(), { description: 'Processes data for the caller\'s tenant.' });
app.addChannel(channel);

afterAll(() => app.stop());

describe('a workflow on a channel', () => {
  it('answers through the memory channel exactly as in-process', async () => {
    await app.start();
    const viaChannel = await channel.call({ operation: 'tenant_workflow', input: { compliance_level: 'gdpr' } });
    const inProcess = await app.invoke({ channel: 'test', operation: 'tenant_workflow', input: { compliance_level: 'gdpr' } });
    if (!viaChannel.ok || !inProcess.ok) throw new Error('expected both calls to succeed');
    expect(viaChannel.value).toEqual({ process_tenant_data: { tenant_id: 'acme', compliance_level: 'gdpr' } });
    expect(JSON.stringify(viaChannel.value)).toBe(JSON.stringify(inProcess.value));
  });

  it('appears in the catalogue with its description and graph', async () => {
    const listed = await app.dispatch({ purpose: 'list',  channel: 'memory' });
    if (!listed.ok) throw listed.error;
    const entry = listed.value.find((operation) => operation.name === 'tenant_workflow');
    expect(entry).toMatchObject({ kind: 'workflow', description: 'Processes data for the caller\'s tenant.', permission: 'execute:tenant_workflow' });
    expect(JSON.parse(JSON.stringify(entry?.workflow))).toMatchObject({ nodes: [{ id: 'process_tenant_data', type: 'CodeNode', timeoutMs: 1000 }] });
  });

  it('reports an unknown workflow as NOT_FOUND and a deregistered one stops answering', async () => {
    app.register('temporary', new WorkflowBuilder().addNode('FunctionNode', 'only', { fn: () => ({ ok: true }) }).build());
    expect((await channel.call({ operation: 'temporary' })).ok).toBe(true);
    app.deregister('temporary');
    const gone = await channel.call({ operation: 'temporary' });
    expect(gone.ok ? 'ok' : gone.error.code).toBe('NOT_FOUND');
  });
});
