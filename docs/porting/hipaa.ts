// Compliance & Governance › HIPAA Compliance Pattern
import { NexusAuthPlugin } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';

// HIPAA requires strict access controls and audit logging
const auth = NexusAuthPlugin.enterprise({
  jwt: {
    secret: process.env.JWT_SECRET!,
    verifyExp: true, // Token expiration required
  },
  rbac: {
    admin: ['*'],
    physician: ['read:phi', 'write:phi'],
    nurse: ['read:phi'],
    billing: ['read:billing'],
  },
  tenantIsolation: {
    jwtClaim: 'organization_id',
    adminRole: 'admin',
  },
  audit: {
    backend: 'logging',
    logLevel: 'INFO',
    logRequestBody: false, // Never log PHI
    logResponseBody: false, // Never log PHI
    redactFields: ['ssn', 'dob', 'diagnosis', 'medication'],
  },
});

const app = new Nexus({ apiPort: Number(process.env.API_PORT ?? 8000), mcpPort: Number(process.env.MCP_PORT ?? 3001), logStartup: true });
app.addPlugin(auth);
app.addChannel(createApiChannel()).addChannel(createMcpChannel());

// PHI access is controlled by RBAC + tenant isolation
// All access is audit-logged for HIPAA compliance
// Use `permission: 'read:phi'` on PHI operations (guard(requirePermission('read:phi')) on custom routes)

await app.start();
