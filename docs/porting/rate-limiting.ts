// Performance Optimization › Rate Limiting Strategy
import { NexusAuthPlugin } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';

// Per-operation rate limiting for different traffic patterns
const auth = NexusAuthPlugin.enterprise({
  jwt: { secret: process.env.JWT_SECRET! },
  rbac: { admin: ['*'], user: ['read:*', 'execute:*'] },
  rateLimit: {
    requestsPerMinute: 100, // Global default
    burstSize: 20, // Allow burst traffic
    backend: 'redis', // Shared across instances
    redisUrl: process.env.REDIS_URL ?? 'redis://localhost:6379',
    operationLimits: {
      'chat*': { requestsPerMinute: 30 }, // LLM operations, on every channel
      login: { requestsPerMinute: 10, burstSize: 5 }, // Login
    },
    routeLimits: {
      '/health': null, // No limit (an HTTP path)
    },
    includeHeaders: true, // X-RateLimit-* response headers
    failOpen: true, // Allow when Redis is down
  },
});

const app = new Nexus({ apiPort: Number(process.env.API_PORT ?? 8000), mcpPort: Number(process.env.MCP_PORT ?? 3001), logStartup: true });
app.addPlugin(auth);
app.addChannel(createApiChannel()).addChannel(createMcpChannel());
await app.start();
