import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The API the provider issues access tokens for (RFC 8707 resource indicator = token audience). */
export const RESOURCE = 'urn:nexus:reference';

/** A confidential client of the provider, and the claims its access tokens carry. */
export interface ProviderClient {
  readonly id: string;
  readonly secret: string;
  readonly claims: Record<string, unknown>;
}

export interface OpenIdProvider {
  readonly issuer: string;
  readonly jwksUri: string;
  /** A JWT access token for `client` by the client-credentials grant. */
  token(client: ProviderClient): Promise<string>;
  close(): Promise<void>;
}

/** The scope every issued token carries; it narrows the client's roles to these permissions. */
export const SCOPE = 'execute:* read:reports';

/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1 that signs RS256 JWT access tokens
 * for the client-credentials grant, adding each client's `claims` (roles, tenant_id).
 */
export async function startOpenIdProvider(clients: readonly ProviderClient[]): Promise<OpenIdProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const claimsOf = new Map(clients.map((client) => [client.id, client.claims]));
  // The provider warns about this Node version and its in-memory adapter: fine for a test, so quiet.
  const warn = console.warn;
  console.warn = () => undefined;
  let provider: InstanceType<typeof import('oidc-provider').default>;
  try {
    const { default: Provider } = await import('oidc-provider');
    provider = new Provider(issuer, {
      clients: clients.map((client) => ({ client_id: client.id, client_secret: client.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] })),
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'e2e-key-1', alg: 'RS256', use: 'sig' }] },
      ttl: { ClientCredentials: 300 },
      extraTokenClaims: (_ctx: unknown, token: { clientId?: string }) => claimsOf.get(token.clientId ?? '') ?? {},
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => RESOURCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: SCOPE, audience: RESOURCE, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'RS256' } } }),
        },
      },
    });
  } finally {
    console.warn = warn;
  }
  server.on('request', provider.callback());
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) })).json()) as { jwks_uri: string };
  return {
    issuer,
    jwksUri: discovery.jwks_uri,
    async token(client) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: SCOPE, resource: RESOURCE }),
        signal: AbortSignal.timeout(5_000),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`the provider issued no token: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
