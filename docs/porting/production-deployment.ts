// Enterprise Nexus Architecture › Production Deployment Pattern
import { NexusAuthPlugin } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';

// Enterprise-grade multi-channel platform with NexusAuthPlugin
const auth = NexusAuthPlugin.enterprise({
  jwt: {
    // No `secret` here: it would be an HS key beside an RS256 key set, which is refused (see porting.md).
    algorithm: 'RS256',
    jwksUrl: process.env.JWKS_URL ?? 'https://sso.company.com/.well-known/jwks.json', // SSO integration
  },
  rbac: {
    admin: ['*'],
    developer: ['read:*', 'write:*', 'execute:*'],
    operator: ['read:*', 'execute:monitoring'],
    executive: ['read:dashboards', 'read:reports'],
  },
  rateLimit: { requestsPerMinute: 1000 },
  tenantIsolation: {
    jwtClaim: 'tenant_id',
    adminRole: 'admin',
  },
  audit: {
    backend: 'logging',
    logLevel: 'INFO',
    excludePaths: ['/health', '/metrics'],
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

// Start the platform
await app.start();
