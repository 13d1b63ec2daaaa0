// Multi-Tenant Enterprise Patterns › Tenant-Aware Workflows
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';
import { WorkflowBuilder } from '@nexus/workflow';
import { z } from 'zod';

const app = new Nexus({ apiPort: Number(process.env.API_PORT ?? 8000), mcpPort: Number(process.env.MCP_PORT ?? 3001), logStartup: true });

// Handler pattern for tenant-aware processing
app.handler(
  'tenant_data_processing',
  {
    description: 'Process data with tenant context',
    input: z.object({ tenant_id: z.string(), customer_id: z.string(), compliance_level: z.string().default('standard') }),
  },
  // With tenant isolation configured, tenant_id is bound to the caller's tenant before this runs.
  async ({ tenant_id, customer_id, compliance_level }) => {
    if (compliance_level === 'hipaa') {
      // Apply HIPAA-specific processing
      return { tenant_id, customer_id, processing: 'hipaa' };
    } else if (compliance_level === 'gdpr') {
      // Apply GDPR-specific processing
      return { tenant_id, customer_id, processing: 'gdpr' };
    } else {
      return { tenant_id, customer_id, processing: 'standard' };
    }
  },
);

// Alternatively, register a workflow with .build()
const tenantWorkflow = new WorkflowBuilder();
tenantWorkflow.addNode('CodeNode', 'process_tenant_data', {
  code: `
const tenant = typeof tenant_id === 'undefined' ? 'unknown' : tenant_id;
const level = typeof compliance_level === 'undefined' ? 'standard' : compliance_level;
result = { tenant_id: tenant, compliance_level: level };
`,
});
app.register('tenant_workflow', tenantWorkflow.build()); // ALWAYS .build()

app.addChannel(createApiChannel()).addChannel(createMcpChannel());
await app.start();
