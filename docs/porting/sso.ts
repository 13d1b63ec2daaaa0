// Enterprise Security Patterns › SSO Authentication Across Channels
import { NexusAuthPlugin } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';

// MFA is handled at the SSO/IdP level (Auth0, Okta, etc.)
// Nexus validates the JWT issued after MFA completion via JWKS
const auth = NexusAuthPlugin.basicAuth({
  jwt: {
    algorithm: 'RS256',
    jwksUrl: process.env.JWKS_URL ?? 'https://sso.company.com/.well-known/jwks.json', // SSO with MFA
    jwksCacheTtl: 3600,
    issuer: 'https://sso.company.com',
    audience: 'nexus-platform',
  },
});

const app = new Nexus({ apiPort: Number(process.env.API_PORT ?? 8000), mcpPort: Number(process.env.MCP_PORT ?? 3001), logStartup: true });
app.addPlugin(auth);
app.addChannel(createApiChannel()).addChannel(createMcpChannel());

// Authentication flow across channels:
// 1. User authenticates via SSO provider (which enforces MFA)
// 2. SSO provider issues JWT after successful authentication
// 3. JWT is valid across all Nexus channels (API/CLI/MCP): the same bearer token in
//    `Authorization`, `--token`/NEXUS_TOKEN, or the MCP client's Authorization header
// 4. Sensitive operations can require re-authentication via SSO (maxTokenAge bounds token age)

await app.start();
