import { request } from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createConformanceAuth } from '@nexus/auth/testing';
import { Nexus, UNKNOWN_OPERATION_LABEL, outcomeOf, silentLogger } from '@nexus/core';
import { createConformanceApp } from '@nexus/core/testing';
import { z } from 'zod';
import { createMcpChannel } from '../src/index.js';

// One request, one admission: however many messages an unauthenticated POST carries, it is
// answered 401 once and leaves one audit record and one counted failure.
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const callEcho = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } });
// About 70 bytes each: 12,000 of them are the 1 MB anonymous batch that once wrote 12,000 audit records.
const bareCall = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo' } });
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { ...HEADERS, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function failures(app: Nexus): Promise<number> {
  const { values } = await app.metrics.authFailures.get();
  return values.filter((value) => value.labels.channel === 'mcp').reduce((sum, value) => sum + value.value, 0);
}

async function serve(app: Nexus): Promise<string> {
  const channel = createMcpChannel({ port: 0 });
  app.addChannel(channel);
  await app.start();
  return channel.address()!.url;
}

describe('admission on an app with public operations (the conformance app)', () => {
  const auth = createConformanceAuth();
  const { app } = createConformanceApp({ auth });
  let url: string;
  const records = () => auth.auditRecords!();
  beforeAll(async () => {
    url = await serve(app);
  });
  afterAll(() => app.stop());

  it('answers an anonymous 12,000-message batch 401 once, with one audit record and one counted failure', async () => {
    const batch = Array.from({ length: 12_000 }, (_, index) => bareCall(index + 1));
    const before = records().length;
    const counted = await failures(app);
    const response = await post(url, batch);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata="[^"]+"$/);
    const body = (await response.json()) as { id: unknown; error: { code: number; data: { code: string } } };
    // One answer for the request, not one per message.
    expect(Array.isArray(body)).toBe(false);
    expect(body.error.data.code).toBe('UNAUTHENTICATED');
    expect(records().length - before).toBe(1);
    expect(records().at(-1)).toMatchObject({ status: 401, outcome: 'denied', principal: null });
    expect((await failures(app)) - counted).toBe(1);
  });

  it('keeps the audit of one unauthenticated request within the bound the README states', async () => {
    // Header bytes as sent, chosen to expand under JSON escaping; the tenant header is recorded twice.
    const headers = { 'x-tenant-id': '"'.repeat(6_000), 'x-padding': '\\'.repeat(6_000), traceparent: 'x'.repeat(1_000) };
    const headerBytes = Object.entries({ ...HEADERS, ...headers }).reduce((sum, [name, value]) => sum + name.length + value.length + 4, 200);
    const before = records().length;
    const response = await post(url, Array.from({ length: 12_000 }, (_, index) => bareCall(index + 1)), headers);
    expect(response.status).toBe(401);
    const written = records().slice(before);
    expect(written).toHaveLength(1);
    const bytes = Buffer.byteLength(JSON.stringify(written[0]));
    expect(bytes).toBeGreaterThan(headerBytes); // the headers are in it...
    expect(bytes).toBeLessThanOrEqual(4 * headerBytes + 1_024); // ...and nothing else grows with the request
  });

  it('answers the same batch with a forged token 401 once with error="invalid_token" and one audit record', async () => {
    const batch = Array.from({ length: 2_000 }, (_, index) => callEcho(index + 1));
    const before = records().length;
    const response = await post(url, batch, { authorization: `Bearer ${await auth.invalidToken()}` });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(records().length - before).toBe(1);
  });

  it('refuses a token sent without the Bearer scheme, like the HTTP channel', async () => {
    const token = await auth.token({ id: 'no-scheme', roles: ['caller'], tenant: 'tenant-a' });
    const response = await post(url, callEcho(1), { authorization: token });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const good = await post(url, callEcho(2), { authorization: `Bearer ${token}` });
    expect(good.status).toBe(200);
  });

  it.each([
    ['another scheme', (token: string) => `Basic ${token}`],
    ['the scheme alone', () => 'Bearer'],
    ['the scheme and a blank', () => 'Bearer   '],
    ['two tokens', (token: string) => `Bearer ${token} ${token}`],
    ['a comma-joined second credential', (token: string) => `Bearer ${token}, Basic abc`],
  ])('refuses an Authorization header with %s, like the HTTP channel', async (_label, header) => {
    const token = await auth.token({ id: 'shapes', roles: ['caller'], tenant: 'tenant-a' });
    const response = await post(url, callEcho(1), { authorization: header(token) });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('refuses two Authorization headers, even when the first holds a good token', async () => {
    const token = await auth.token({ id: 'shapes', roles: ['caller'], tenant: 'tenant-a' });
    const port = Number(new URL(url).port);
    const status = await new Promise<{ status: number; challenge: string | undefined }>((resolve, reject) => {
      // Node sends an array as repeated header lines; its types only allow one Authorization.
      const headers = { ...HEADERS, authorization: [`Bearer ${token}`, 'Bearer other'] } as unknown as OutgoingHttpHeaders;
      const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'] });
      });
      req.on('error', reject);
      req.end(JSON.stringify(callEcho(1)));
    });
    expect(status).toMatchObject({ status: 401, challenge: expect.stringMatching(/error="invalid_token"/) });
  });

  it('accepts the Bearer scheme in any case', async () => {
    const token = await auth.token({ id: 'shapes', roles: ['caller'], tenant: 'tenant-a' });
    expect((await post(url, callEcho(1), { authorization: `bearer ${token}` })).status).toBe(200);
  });

  it('writes one audit record and counts a failure for initialize with a forged token', async () => {
    const before = records().length;
    const counted = await failures(app);
    const response = await post(url, initialize, { authorization: `Bearer ${await auth.invalidToken()}` });
    expect(response.status).toBe(401);
    expect(records().length - before).toBe(1);
    expect(records().at(-1)).toMatchObject({ status: 401, outcome: 'denied' });
    expect((await failures(app)) - counted).toBe(1);
  });

  it('answers an unknown tool with JSON-RPC -32602, audited and counted as NOT_FOUND', async () => {
    const token = await auth.token({ id: 'seeker', roles: ['caller'], tenant: 'tenant-a' });
    const before = records().length;
    const response = await post(url, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } }, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: number; error: { code: number; message: string; data: { code: string } } };
    expect(body.id).toBe(5);
    expect(body.error.code).toBe(-32602);
    expect(body.error.message).toMatch(/no_such_tool/);
    expect(body.error.data.code).toBe('NOT_FOUND');
    expect(records().slice(before)).toEqual([expect.objectContaining({ operation: 'no_such_tool', status: 404, principal: 'seeker' })]);
    const { values } = await app.metrics.requests.get();
    const counted = values.find((value) => value.labels.channel === 'mcp' && value.labels.operation === UNKNOWN_OPERATION_LABEL);
    expect(counted).toMatchObject({ labels: { outcome: outcomeOf('NOT_FOUND') } });
  });
});

describe('admission on an app without public operations', () => {
  const auth = createConformanceAuth();
  const app = new Nexus({ logger: silentLogger });
  for (const plugin of auth.plugins()) app.addPlugin(plugin);
  app.handler('echo', { description: 'Returns its message.', input: z.object({ message: z.string() }) }, ({ message }) => ({ message }));
  let url: string;
  beforeAll(async () => {
    url = await serve(app);
  });
  afterAll(() => app.stop());

  it('writes one audit record and counts a failure for an anonymous initialize it refuses', async () => {
    const before = auth.auditRecords!().length;
    const counted = await failures(app);
    const response = await post(url, initialize);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).not.toMatch(/invalid_token/);
    expect(auth.auditRecords!().length - before).toBe(1);
    expect((await failures(app)) - counted).toBe(1);
  });

  it('answers a batch of notifications and pings without a token 401 once', async () => {
    const before = auth.auditRecords!().length;
    const response = await post(url, [{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', method: 'notifications/initialized' }]);
    expect(response.status).toBe(401);
    expect(auth.auditRecords!().length - before).toBe(1);
  });
});
