import { z } from 'zod';
import { WorkflowBuilder } from '@nexus/workflow';
import type { Nexus } from '@nexus/core';

/**
 * The patterns document's `tenant_workflow`: a code node reading `tenant_id` and
 * `compliance_level` by name with defaults. `tenant_id` is the caller's verified tenant.
 */
export function registerTenantWorkflow(app: Nexus): void {
  const builder = new WorkflowBuilder();
  builder.addNode('CodeNode', 'process_tenant_data', {
    code: `
      result = {
        tenant_id: typeof tenant_id === 'undefined' ? 'unknown' : tenant_id,
        compliance_level: typeof compliance_level === 'undefined' ? 'standard' : compliance_level,
      };`,
  });
  app.register('tenant_workflow', builder.build(), {
    description: 'Process tenant data as a workflow.',
    input: z.strictObject({ compliance_level: z.enum(['standard', 'hipaa', 'gdpr']).optional().describe('Processing regime') }),
    // A workflow answers with each node's output under the node's id.
    output: z.object({ process_tenant_data: z.object({ tenant_id: z.string(), compliance_level: z.string() }) }),
    annotations: { title: 'Tenant workflow', readOnly: true, idempotent: true, openWorld: false },
  });
}
