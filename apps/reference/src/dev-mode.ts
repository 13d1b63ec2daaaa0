import { createAccessToken } from '@nexus/auth';
import type { ReferenceConfig } from './config.js';

/** The banner dev mode prints: why it is unsafe, an admin token, and a curl line that works as printed. */
export function devBanner(config: ReferenceConfig, apiUrl: string, mcpUrl: string | undefined): string {
  if (config.jwt.kind !== 'secret') return '';
  const token = createAccessToken({
    key: config.jwt.secret,
    algorithm: config.jwt.algorithm,
    subject: 'dev-admin',
    roles: ['admin'],
    tenant: 'dev-tenant',
    expiresIn: 12 * 3600,
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  });
  const line = '!'.repeat(78);
  return [
    line,
    'WARNING: DEV MODE. No NEXUS_JWT_SECRET or NEXUS_JWKS_URL is set, so this process made up a',
    'random signing secret and minted the admin token below. Never run it like this in production.',
    line,
    '',
    `Admin token (role admin, tenant dev-tenant, valid 12 h):`,
    token,
    '',
    'Try it:',
    `curl -s -X POST ${apiUrl}/workflows/echo/execute -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '{"inputs":{"message":"hello"}}'`,
    '',
    `CLI:  NEXUS_URL=${apiUrl} NEXUS_TOKEN=<token> node packages/channel-cli/dist/bin/nexus.js list`,
    ...(mcpUrl ? [`MCP:  ${mcpUrl} (Authorization: Bearer <token>)`] : []),
    '',
  ].join('\n');
}
