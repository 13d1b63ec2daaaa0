// High Availability Patterns › Load Balancing Configuration
import { NexusAuthPlugin } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';

// Each Nexus instance is identical and stateless
const auth = NexusAuthPlugin.enterprise({
  jwt: { secret: process.env.JWT_SECRET! },
  rbac: { admin: ['*'], operator: ['read:*', 'execute:*'] },
  rateLimit: {
    requestsPerMinute: 1000,
    backend: 'redis', // Shared state across instances
    redisUrl: process.env.REDIS_URL!,
  },
});

const app = new Nexus({
  apiPort: Number(process.env.API_PORT ?? 8000),
  mcpPort: Number(process.env.MCP_PORT ?? 3001),
  enableMonitoring: true,
  logStartup: true,
});
app.addPlugin(auth);
app.addChannel(createApiChannel()).addChannel(createMcpChannel());
await app.start();

// Deploy behind load balancer (nginx, HAProxy, K8s Ingress):
// - API channel: Round-robin across instances
// - Health check: GET /health (or /health/ready) on each instance
// - Session affinity: Not required (stateless JWT auth; MCP over HTTP is stateless)
// - Rate limiting: Shared via Redis backend
