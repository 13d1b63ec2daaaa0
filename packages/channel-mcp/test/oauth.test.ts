import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { NexusAuthPlugin } from '@nexus/auth';
import type { AuditRecord } from '@nexus/auth';
import { Nexus, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { createMcpChannel } from '../src/index.js';
import type { McpChannel } from '../src/index.js';

// The whole OAuth dance with real parts: oidc-provider as the authorization server (dynamic
// client registration, PKCE, its own login and consent pages), the MCP SDK client's own OAuth
// support discovering it from the channel's 401, and the token verified through the JWKS.
const REDIRECT = 'http://127.0.0.1:9/callback';
const ACCOUNT = 'alice@example.com';
const AUDIENCE = 'urn:nexus:mcp';

let authServer: Server;
let issuer: string;
let app: Nexus;
let channel: McpChannel;
const audit: AuditRecord[] = [];

async function startProvider(): Promise<void> {
  authServer = createServer();
  await new Promise<void>((resolve) => authServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(authServer.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // The provider warns about its development-only parts (in-memory adapter, dev interactions).
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    const { default: Provider } = await import('oidc-provider');
    const provider = new Provider(issuer, {
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'oauth-test', alg: 'RS256', use: 'sig' }] },
      cookies: { keys: ['a-cookie-signing-key-for-this-test-only'] },
      findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
      pkce: { required: () => true },
      scopes: ['openid', 'mcp'],
      ttl: { AccessToken: 300, AuthorizationCode: 60, Grant: 600, IdToken: 300, Interaction: 600, Session: 600 },
      features: {
        devInteractions: { enabled: true },
        registration: { enabled: true },
        resourceIndicators: {
          enabled: true,
          useGrantedResource: () => true,
          // Tokens for the MCP resource name one audience, whatever URL the client names it by.
          getResourceServerInfo: () => ({ scope: 'mcp', audience: AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'RS256' } } }),
        },
      },
    });
    authServer.on('request', provider.callback());
  } finally {
    console.warn = warn;
  }
}

/** A browser for the provider's pages: follows redirects by hand, keeps cookies, stops at the client's redirect URI. */
async function signIn(authorizationUrl: URL): Promise<string> {
  const cookies = new Map<string, string>();
  let url = authorizationUrl.href;
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(REDIRECT)) {
      const code = new URL(url).searchParams.get('code');
      if (!code) throw new Error(`the provider redirected without a code: ${url}`);
      return code;
    }
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      body = undefined;
      continue;
    }
    const page = await response.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    if (response.status !== 200 || prompt === undefined) throw new Error(`unexpected provider page (${response.status}): ${page.slice(0, 300)}`);
    // The login page takes any account in development mode; the consent page grants what was asked.
    body = new URLSearchParams(prompt === 'login' ? { prompt, login: ACCOUNT, password: 'any' } : { prompt });
  }
  throw new Error('too many redirects');
}

/** The SDK's client-side OAuth state, kept in memory; the redirect is handed to `signIn` instead of a browser. */
class MemoryOAuthClient implements OAuthClientProvider {
  information: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  authorizationUrl: URL | undefined;
  readonly redirectUrl = REDIRECT;
  readonly clientMetadata: OAuthClientMetadata = {
    client_name: 'nexus oauth test',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    scope: 'mcp',
  };
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

beforeAll(async () => {
  await startProvider();
  app = new Nexus({ logger: silentLogger });
  channel = createMcpChannel({ port: 0 });
  app.addPlugin(new NexusAuthPlugin({ jwt: { jwksUrl: `${issuer}/jwks`, algorithm: 'RS256', issuer, audience: AUDIENCE }, audit: { backend: (record) => void audit.push(record) } }));
  app.handler('whoami', { description: 'Returns the principal the pipeline resolved.', input: z.object({}) }, (_input, ctx) => ({ principal: ctx.principal?.id ?? null }));
  app.addChannel(channel);
  await app.start();
}, 30_000);

afterAll(async () => {
  await app?.stop();
  authServer?.closeAllConnections();
  await new Promise((resolve) => authServer?.close(resolve));
});

describe('OAuth from the MCP SDK client against a real OpenID provider', () => {
  it('goes 401 → metadata → authorization server → registration → login → token → tool call', async () => {
    const oauth = new MemoryOAuthClient();
    const url = new URL(channel.address()!.url);
    const first = new StreamableHTTPClientTransport(url, { authProvider: oauth });
    await expect(new Client({ name: 'oauth-test', version: '1.0.0' }).connect(first)).rejects.toThrow(UnauthorizedError);
    // The client found the provider through the channel's metadata and registered itself there.
    expect(oauth.authorizationUrl?.origin).toBe(issuer);
    expect(oauth.information?.client_id).toEqual(expect.any(String));
    expect(oauth.authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');

    await first.finishAuth(await signIn(oauth.authorizationUrl!));
    expect(oauth.saved?.access_token).toMatch(/^eyJ/);

    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: oauth }));
    const before = audit.length;
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.structuredContent).toEqual({ principal: ACCOUNT });
    expect(audit.slice(before)).toEqual([expect.objectContaining({ operation: 'whoami', status: 200, principal: ACCOUNT })]);
    await client.close();
  });
});
