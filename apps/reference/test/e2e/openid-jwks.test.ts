import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpDriver, mcpHttpDriver } from '../support/channels.js';
import type { ChannelDriver } from '../support/channels.js';
import { RESOURCE, startOpenIdProvider } from '../support/openid-provider.js';
import type { OpenIdProvider, ProviderClient } from '../support/openid-provider.js';
import { killAll, startApp } from '../support/processes.js';
import type { AppProcess } from '../support/processes.js';
import { mint, newSecret } from '../support/tokens.js';

const developer: ProviderClient = { id: 'ingest-service', secret: 'ingest-secret-0123456789abcdef0123456789', claims: { roles: ['developer'], tenant_id: 'acme' } };
const executive: ProviderClient = { id: 'board-dashboard', secret: 'board-secret-0123456789abcdef0123456789', claims: { roles: ['executive'], tenant_id: 'acme' } };

let provider: OpenIdProvider;
let server: AppProcess;
let http: ChannelDriver;
let mcp: ChannelDriver;

beforeAll(async () => {
  provider = await startOpenIdProvider([developer, executive]);
  server = await startApp({
    NEXUS_JWKS_URL: provider.jwksUri,
    NEXUS_JWT_ALGORITHM: 'RS256',
    NEXUS_JWT_ISSUER: provider.issuer,
    NEXUS_JWT_AUDIENCE: RESOURCE,
  });
  http = httpDriver(server.api);
  mcp = mcpHttpDriver(server.mcp);
}, 30_000);

afterAll(async () => {
  await mcp?.close();
  await server?.stop();
  await killAll();
  await provider?.close();
});

describe('RS256 tokens from an OpenID provider, verified through its JWKS', () => {
  it('accepts the provider\'s token and applies its roles and tenant on HTTP and MCP', async () => {
    const token = await provider.token(developer);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'RS256', kid: 'e2e-key-1' });
    const viaHttp = await http.call({ token }, 'tenant_data_processing', { customer_id: 'c-7' });
    expect(viaHttp).toEqual({ code: 'ok', value: { tenant_id: 'acme', customer_id: 'c-7', processing: 'standard' } });
    const viaMcp = await mcp.call({ token }, 'echo', { message: 'from the provider' });
    expect(viaMcp).toEqual({ code: 'ok', value: { message: 'from the provider' } });
  });

  it("narrows the token's roles to its scope: write:personal_data is the developer's, not the token's", async () => {
    const token = await provider.token(developer);
    expect((await http.call({ token }, 'customer_upsert', { user_id: 'u-1', profile: {} })).code).toBe('FORBIDDEN');
  });

  it('refuses an operation the provider-issued role does not grant', async () => {
    const token = await provider.token(executive);
    expect((await http.call({ token }, 'echo', { message: 'hi' })).code).toBe('FORBIDDEN');
  });

  it('refuses an HS256 token even with the right claims', async () => {
    const forged = mint(newSecret(), developer.id, ['developer'], 'acme');
    expect((await http.call({ token: forged }, 'echo', { message: 'hi' })).code).toBe('UNAUTHENTICATED');
  });

  it('runs in production mode and never prints a token', () => {
    expect(server.stderr()).toContain('"mode":"production"');
    expect(server.stderr()).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });
});
