// Enterprise Security Patterns › ABAC via Custom Middleware
import { NexusAuthPlugin } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { ForbiddenError, Nexus } from '@nexus/core';
import type { NexusContext, OperationDefinition } from '@nexus/core';
import { z } from 'zod';

/** Custom ABAC policy: an authorizer runs for HTTP, CLI and MCP calls alike. */
function abac(_ctx: NexusContext, operation: OperationDefinition): void {
  // Example: Business hours policy for sensitive operations
  const currentHour = new Date().getHours();
  if (operation.name.startsWith('sensitive')) {
    if (!(currentHour >= 9 && currentHour <= 17)) {
      throw new ForbiddenError('Access restricted to business hours');
    }
  }
}

// Setup with NexusAuthPlugin + custom ABAC policy
const auth = NexusAuthPlugin.basicAuth({
  jwt: { secret: process.env.JWT_SECRET! },
});

const app = new Nexus({ apiPort: Number(process.env.API_PORT ?? 8000), mcpPort: Number(process.env.MCP_PORT ?? 3001), logStartup: true });
app.addPlugin(auth);
app.authorize(abac); // Native Nexus middleware API, on every channel

app.handler('sensitive_report', { description: 'A sensitive report', input: z.object({}) }, () => ({ report: 'quarterly' }));
app.addChannel(createApiChannel()).addChannel(createMcpChannel());
await app.start();
