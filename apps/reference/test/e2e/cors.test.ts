import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.js';
import { killAll, startApp } from '../support/processes.js';
import { newSecret } from '../support/tokens.js';

afterAll(async () => {
  await killAll();
});

const ORIGIN = 'https://console.example.com';

describe('NEXUS_CORS_ORIGINS', () => {
  it('opens both listeners to the named origins, and to no other', async () => {
    const server = await startApp({ NEXUS_JWT_SECRET: newSecret(), NEXUS_CORS_ORIGINS: `${ORIGIN}, https://other.example.com` });
    try {
      const preflight = (url: string, origin: string) =>
        fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
      for (const url of [`${server.api}/workflows/echo/execute`, server.mcp]) {
        const allowed = await preflight(url, ORIGIN);
        expect([url, allowed.status, allowed.headers.get('access-control-allow-origin')]).toEqual([url, 204, ORIGIN]);
        expect((await preflight(url, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
      }
      const refused = await fetch(`${server.api}/workflows/echo/execute`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: '{"inputs":{"message":"x"}}' });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/);
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('is off when unset, and refuses a value that is not a list of origins', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ NEXUS_CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
    expect(() => loadConfig({ NEXUS_CORS_ORIGINS: 'console.example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ NEXUS_CORS_ORIGINS: 'https://console.example.com/app' })).toThrow(/NEXUS_CORS_ORIGINS/);
  });
});
