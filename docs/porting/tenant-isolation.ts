// Multi-Tenant Enterprise Patterns › Tenant Isolation Configuration
import { NexusAuthPlugin } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';

// Tenant isolation via NexusAuthPlugin
const auth = NexusAuthPlugin.enterprise({
  jwt: { secret: process.env.JWT_SECRET! },
  rbac: {
    admin: ['*'],
    tenant_admin: ['read:*', 'write:*'],
    tenant_user: ['read:*'],
  },
  tenantIsolation: {
    tenantIdHeader: 'X-Tenant-ID',
    jwtClaim: 'tenant_id', // Claim name in JWT
    allowAdminOverride: true,
    adminRole: 'admin', // Singular string, NOT adminRoles
    excludePaths: ['/health', '/docs'],
  },
  rateLimit: {
    requestsPerMinute: 10000,
    // Every workflow, on every channel (the original's "/api/workflows/*" matched no path)
    operationLimits: {
      '*': { requestsPerMinute: 1000 },
    },
  },
  audit: {
    backend: 'logging',
    logLevel: 'INFO',
  },
});

const app = new Nexus({ apiPort: Number(process.env.API_PORT ?? 8000), mcpPort: Number(process.env.MCP_PORT ?? 3001), logStartup: true });
app.addPlugin(auth);
app.addChannel(createApiChannel()).addChannel(createMcpChannel());

// Tenant ID is extracted from JWT claims or X-Tenant-ID header
// Each request is automatically scoped to its tenant (ctx.tenant)
// Admin roles can override tenant isolation when needed (always audited)

await app.start();
