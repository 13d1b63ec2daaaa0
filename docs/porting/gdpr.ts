// Compliance & Governance › GDPR Compliance Pattern
import { NexusAuthPlugin } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';
import { z } from 'zod';

// GDPR requires audit trails for all data access
const auth = NexusAuthPlugin.enterprise({
  jwt: { secret: process.env.JWT_SECRET! },
  rbac: { admin: ['*'], dpo: ['read:*', 'delete:*'], user: ['read:own'] },
  audit: {
    backend: 'logging',
    logLevel: 'INFO',
    redactFields: ['password', 'ssn', 'credit_card'], // PII protection
  },
});

const app = new Nexus({ apiPort: Number(process.env.API_PORT ?? 8000), mcpPort: Number(process.env.MCP_PORT ?? 3001), logStartup: true });
app.addPlugin(auth);

// Right to be forgotten (GDPR Article 17)
app.handler(
  'gdpr_delete_user_data',
  { description: 'Delete all user data (GDPR Art. 17)', input: z.object({ user_id: z.string() }), permission: 'delete:user_data' },
  // Delete all personal data for a user: the permission is checked on every channel before this runs.
  async ({ user_id }) => ({ user_id, status: 'deleted', gdpr_article: '17' }),
);

// Data portability (GDPR Article 20)
app.handler(
  'gdpr_export_user_data',
  { description: 'Export user data (GDPR Art. 20)', input: z.object({ user_id: z.string(), format: z.string().default('json') }), permission: 'read:user_data' },
  async ({ user_id, format }) => ({ user_id, format, status: 'exported' }),
);

app.addChannel(createApiChannel()).addChannel(createMcpChannel());
await app.start();
