import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { NexusAuthPlugin, createAccessToken } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { createCli } from '@nexus/channel-cli';
import { createMcpChannel } from '@nexus/channel-mcp';
import { ForbiddenError, Nexus, silentLogger } from '@nexus/core';

/**
 * The patterns document's middleware (ABAC by business hours, request timing), ported to
 * `app.authorize` and `app.use`: one definition decides HTTP, CLI and MCP calls alike, while
 * `api.addMiddleware` (the HTTP-only escape hatch) sees HTTP requests only.
 */
const secret = 'middleware-every-channel-secret-32-bytes!';
const token = createAccessToken({ subject: 'alice', key: secret, expiresIn: 600 });
let hour = 10;
const timed: string[] = [];
const httpOnly: string[] = [];
const app = new Nexus({ logger: silentLogger });
let apiUrl = '';
let mcp: Client;

beforeAll(async () => {
  app.addPlugin(NexusAuthPlugin.basicAuth({ jwt: { secret } }));
  app.authorize((_ctx, operation) => {
    if (operation.tags.includes('sensitive') && !(hour >= 9 && hour <= 17)) throw new ForbiddenError('Access restricted to business hours');
  });
  app.use('observe', async function timing(ctx, next) {
    const started = performance.now();
    try {
      return await next();
    } finally {
      timed.push(`${ctx.channel}:${ctx.operation}:${performance.now() - started >= 0}`);
    }
  });
  app.handler('sensitive_report', { description: 'Sensitive', input: z.object({}), tags: ['sensitive'] }, () => ({ report: 42 }));
  const api = createApiChannel({ port: 0 });
  api.addMiddleware((req, _res, next) => {
    httpOnly.push(req.path);
    next();
  });
  app.addChannel(api).addChannel(createMcpChannel({ port: 0 }));
  const addresses = await app.start();
  apiUrl = addresses.find((address) => address.channel === 'api')!.url;
  mcp = new Client({ name: 'test', version: '1.0.0' });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(addresses.find((address) => address.channel === 'mcp')!.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
}, 30_000);

afterAll(async () => {
  await mcp?.close();
  await app.stop();
});

async function overHttp(): Promise<string> {
  const response = await fetch(`${apiUrl}/workflows/sensitive_report/execute`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{"inputs":{}}',
  });
  return response.ok ? 'ok' : ((await response.json()) as { code: string }).code;
}

async function overCli(): Promise<string> {
  let out = '';
  let err = '';
  const code = await createCli(app).run(['run', 'sensitive_report', '--output', 'json'], {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    env: { NEXUS_TOKEN: token },
  });
  return code === 0 ? 'ok' : ((JSON.parse(err) as { code: string }).code ?? `exit ${code}: ${out}`);
}

async function overMcp(): Promise<string> {
  const result = (await mcp.callTool({ name: 'sensitive_report', arguments: {} })) as { isError?: boolean; structuredContent?: { error?: { code?: string } } };
  return result.isError ? (result.structuredContent?.error?.code ?? 'error') : 'ok';
}

describe('app.authorize and app.use are the channel-neutral home of middleware', () => {
  it('refuses outside business hours on HTTP, the CLI and MCP alike', async () => {
    hour = 20;
    expect({ http: await overHttp(), cli: await overCli(), mcp: await overMcp() }).toEqual({ http: 'FORBIDDEN', cli: 'FORBIDDEN', mcp: 'FORBIDDEN' });
  });

  it('allows during business hours on every channel, and times every call', async () => {
    hour = 10;
    timed.length = 0;
    expect({ http: await overHttp(), cli: await overCli(), mcp: await overMcp() }).toEqual({ http: 'ok', cli: 'ok', mcp: 'ok' });
    expect(timed).toEqual(expect.arrayContaining(['api:sensitive_report:true', 'cli:sensitive_report:true', 'mcp:sensitive_report:true']));
  });

  it('runs api.addMiddleware for HTTP requests only', async () => {
    httpOnly.length = 0;
    await overHttp();
    await overCli();
    await overMcp();
    expect(httpOnly).toEqual(['/workflows/sensitive_report/execute']);
  });
});
