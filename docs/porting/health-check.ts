// High Availability Patterns › Health Check Integration
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';
import { z } from 'zod';

const app = new Nexus({ apiPort: Number(process.env.API_PORT ?? 8000), mcpPort: Number(process.env.MCP_PORT ?? 3001), logStartup: true });

// Built-in health check
app.handler('deep_health', { description: 'Deep health check', input: z.object({}) }, async () => {
  // Comprehensive health check for load balancer integration.
  const health = await app.healthCheck();
  const channel = (name: string) => (health.checks[`channel:${name}`]?.status === 'healthy' ? 'running' : 'down');
  return {
    status: health.status === 'unhealthy' ? 'unhealthy' : 'healthy',
    channels: {
      api: channel('api'),
      cli: 'available',
      mcp: channel('mcp'),
    },
  };
});

// The /health endpoint is automatically available
// Load balancers should probe: GET /health
app.addChannel(createApiChannel()).addChannel(createMcpChannel());
await app.start();
