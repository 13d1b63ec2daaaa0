import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { z } from 'zod';
import { NexusAuthPlugin, createAccessToken } from '@nexus/auth';
import { Nexus, silentLogger } from '@nexus/core';
import { startApi } from './http-driver.js';

const secret = 'channel-api-credential-test-secret-32-bytes+';
let app: Nexus;
let base: string;
let valid: string;
let other: string;

// The real auth plugin: the channel maps the header, the authenticate phase refuses it.
beforeAll(async () => {
  app = new Nexus({ logger: silentLogger });
  app.addPlugin(NexusAuthPlugin.basicAuth({ jwt: { secret } }));
  app.handler('echo', { description: 'Echo.', input: z.object({ message: z.string() }) }, (input) => input);
  app.handler('ping', { description: 'Public.', input: z.object({}).passthrough(), public: true }, () => ({ pong: true }));
  valid = await createAccessToken({ subject: 'u1', key: secret, roles: ['caller'], expiresIn: 600 });
  other = await createAccessToken({ subject: 'u2', key: secret, roles: ['caller'], expiresIn: 600 });
  ({ base } = await startApi(app, {}));
});
afterAll(() => app.stop());

/** A raw request, so a header can be sent twice (fetch would merge the values into one). */
function send(method: string, path: string, headers: Record<string, string | string[]>, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
    req.end(body);
  });
}

const execute = (name: string, headers: Record<string, string | string[]>) =>
  send('POST', `/workflows/${name}/execute`, { 'content-type': 'application/json', ...headers }, '{"inputs":{"message":"x"}}');

describe('credential headers', () => {
  it.each([
    ['another scheme', { authorization: 'Basic dTpw' }],
    ['no scheme', { authorization: 'TOKEN' }],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['a repeated Authorization header', { authorization: ['Bearer TOKEN', 'Bearer OTHER'] }],
    ['a repeated X-API-Key header', { 'x-api-key': ['k1', 'k2'] }],
  ])('refuses %s with 401 UNAUTHENTICATED instead of treating the caller as anonymous', async (_name, template) => {
    const fill = (value: string) => value.replace('TOKEN', valid).replace('OTHER', other);
    const headers = Object.fromEntries(Object.entries(template).map(([name, value]) => [name, Array.isArray(value) ? value.map(fill) : fill(value as string)]));
    const response = await execute('echo', headers);
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(response.headers['www-authenticate']).toBe('Bearer realm="nexus", error="invalid_token"');
  });

  it('refuses an unusable Authorization header on the catalogue, which admits anonymous callers', async () => {
    expect((await send('GET', '/workflows', {})).status).toBe(200);
    expect((await send('GET', '/workflows', { authorization: 'Basic dTpw' })).status).toBe(401);
  });

  it('still runs a public operation whatever credential header comes along', async () => {
    expect((await execute('ping', { authorization: 'Basic dTpw' })).status).toBe(200);
  });

  it('challenges without invalid_token when no credential was sent', async () => {
    const response = await execute('echo', {});
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="nexus"');
  });

  it('accepts one well-formed bearer header', async () => {
    expect((await execute('echo', { authorization: `bearer ${valid}` })).status).toBe(200);
  });
});
