// Enterprise Monitoring & Observability › Audit Logging for Compliance
import { NexusAuthPlugin } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';

// Audit logging captures all access for compliance
const auth = NexusAuthPlugin.enterprise({
  jwt: { secret: process.env.JWT_SECRET! },
  rbac: { admin: ['*'], user: ['read:*'] },
  audit: {
    backend: 'logging',
    logLevel: 'INFO',
    logRequestBody: false, // Disable for PII protection
    logResponseBody: false,
    excludePaths: ['/health', '/metrics'],
    redactHeaders: ['Authorization', 'Cookie'],
    redactFields: ['password', 'token', 'api_key'],
  },
});

const app = new Nexus({ apiPort: Number(process.env.API_PORT ?? 8000), mcpPort: Number(process.env.MCP_PORT ?? 3001), logStartup: true });
app.addPlugin(auth);
app.addChannel(createApiChannel()).addChannel(createMcpChannel());
await app.start();

// Audit log captures, one JSON line per call on every channel:
// - All requests with user identity (principal, roles)
// - Authentication failures (outcome "denied", reason internal only)
// - Authorization decisions (allowed/denied)
// - Tenant context for multi-tenant deployments
