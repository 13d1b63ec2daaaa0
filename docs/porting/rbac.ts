// Enterprise Security Patterns › Role-Based Access Control (RBAC)
import express from 'express';
import { NexusAuthPlugin, requirePermission, requireRole } from '@nexus/auth';
import { createApiChannel, guard } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';

// Define enterprise roles with wildcard permissions
const auth = NexusAuthPlugin.saasApp({
  jwt: { secret: process.env.JWT_SECRET! },
  rbac: {
    // Executive: read-only dashboards and reports
    executive: ['read:dashboards', 'read:reports', 'read:status'],
    // Developer: full workflow and tool access
    developer: ['read:*', 'write:*', 'execute:*'],
    // Operator: monitoring and deployment
    operator: ['read:health', 'execute:monitoring', 'execute:deploy'],
    // Admin: unrestricted access
    admin: ['*'],
  },
});

const app = new Nexus({ apiPort: Number(process.env.API_PORT ?? 8000), mcpPort: Number(process.env.MCP_PORT ?? 3001), logStartup: true });
app.addPlugin(auth);

// Permission matching supports wildcards:
//   "*"           matches everything
//   "read:*"      matches read:users, read:articles, etc.
//   "*:users"     matches read:users, write:users, etc.

// Guards for fine-grained control on custom routes (the FastAPI dependencies of the original)
const customRouter = express.Router();
customRouter.get('/admin', guard(requireRole('admin')), (_req, res) => void res.json({ admin: true }));
customRouter.delete('/articles/:id', guard(requirePermission('delete:articles')), (_req, res) => void res.json({ deleted: true }));

app.addChannel(createApiChannel().addRouter('/custom', customRouter)).addChannel(createMcpChannel());
await app.start();
