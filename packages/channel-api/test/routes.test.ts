import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { z } from 'zod';
import type { Nexus } from '@nexus/core';
import { createTestApp, token } from './fixtures.js';
import { startApi } from './http-driver.js';

let app: Nexus;
let base: string;
const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

beforeAll(async () => {
  app = createTestApp({ auth: true, nexus: { enableMonitoring: true } });
  ({ base } = await startApi(app));
});
afterAll(() => app.stop());

describe('the catalogue', () => {
  it('lists only the operations the caller may execute, with their public description', async () => {
    const response = await fetch(`${base}/workflows`, { headers: bearer(token('u1', ['execute:echo', 'execute:doubler'])) });
    expect(response.status).toBe(200);
    const { workflows } = (await response.json()) as { workflows: Record<string, unknown>[] };
    expect(workflows.map((entry) => entry.name).sort()).toEqual(['context', 'doubler', 'echo', 'wait']);
    const echo = workflows.find((entry) => entry.name === 'echo')!;
    expect(echo).toMatchObject({ kind: 'handler', description: 'Echoes.', permission: 'execute:echo' });
    expect(echo.inputSchema).toMatchObject({ type: 'object', properties: { message: { type: 'string' } } });
    expect(workflows.find((entry) => entry.name === 'doubler')!.kind).toBe('workflow');
    // Graphs stay out of the list: one GET per workflow fetches them.
    expect(workflows.every((entry) => !('workflow' in entry))).toBe(true);
  });

  it("shows a workflow's graph (nodes and edges) when it is described alone", async () => {
    const headers = bearer(token('u1', ['execute:doubler', 'execute:echo']));
    const doubler = (await (await fetch(`${base}/workflows/doubler`, { headers })).json()) as Record<string, unknown>;
    expect(doubler).toMatchObject({ name: 'doubler', kind: 'workflow' });
    expect(doubler.workflow).toEqual({
      nodes: [{ id: 'input', kind: 'input' }, { id: 'double', kind: 'task' }],
      edges: [{ from: 'input', to: 'double' }],
    });
    const echo = (await (await fetch(`${base}/workflows/echo`, { headers })).json()) as Record<string, unknown>;
    expect('workflow' in echo).toBe(false);
  });

  it('refuses an anonymous listing like a call', async () => {
    const response = await fetch(`${base}/workflows`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('describes one operation and answers 404 for unknown or invisible ones', async () => {
    const headers = bearer(token('u1', ['execute:echo']));
    const one = await fetch(`${base}/workflows/echo`, { headers });
    expect(one.status).toBe(200);
    expect(((await one.json()) as { name: string }).name).toBe('echo');
    for (const name of ['nope', 'doubler']) {
      const missing = await fetch(`${base}/workflows/${name}`, { headers });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { code: string }).code).toBe('NOT_FOUND');
    }
  });
});

describe('health and metrics', () => {
  it('serves /health without a credential, with the checks', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(body.status).toBe('healthy');
    expect(body.checks['channel:api']?.status).toBe('healthy');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers 503 "unhealthy" when a check fails', async () => {
    const local = createTestApp();
    local.addHealthCheck('db', () => ({ status: 'unhealthy', detail: 'down' }));
    const { base: url } = await startApi(local);
    try {
      const response = await fetch(`${url}/health`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { status: string }).status).toBe('unhealthy');
    } finally {
      await local.stop();
    }
  });

  it('answers the liveness and readiness probes', async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe('ready');
  });

  it('serves Prometheus metrics when monitoring is enabled', async () => {
    await fetch(`${base}/workflows/echo/execute`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token('u1')) }, body: '{"inputs":{"message":"m"}}' });
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/nexus_requests_total\{channel="api",operation="echo",outcome="allowed"\} \d+/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('does not serve /metrics when monitoring is off', async () => {
    const local = createTestApp();
    const { base: url } = await startApi(local);
    try {
      const response = await fetch(`${url}/metrics`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    } finally {
      await local.stop();
    }
  });
});

describe('OpenAPI', () => {
  it('is a valid OpenAPI 3.1 document with one path per operation and its input schema', async () => {
    const response = await fetch(`${base}/openapi.json`, { headers: bearer(token('u1', ['*'])) });
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, any> };
    const result = await new Validator().validate(document as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
    const executePaths = Object.keys(document.paths).filter((path) => path.endsWith('/execute')).sort();
    expect(executePaths).toEqual(app.allOperations().map((op) => `/workflows/${op.name}/execute`).sort());
    const echo = document.paths['/workflows/echo/execute'].post;
    expect(echo.requestBody.content['application/json'].schema.properties.inputs).toMatchObject({ properties: { message: { type: 'string' } } });
    expect(echo['x-nexus-permission']).toBe('execute:echo');
    expect(document.paths['/workflows/context/execute'].post.security).toEqual([]);
  });

  it('follows registrations and keeps recursive schemas valid', async () => {
    interface Tree {
      name: string;
      children: Tree[];
    }
    const tree: z.ZodType<Tree> = z.lazy(() => z.object({ name: z.string(), children: z.array(tree) }));
    app.handler('tree', { description: 'Recursive input.', input: z.object({ root: tree }) }, (input) => input);
    try {
      const document = (await (await fetch(`${base}/openapi.json`, { headers: bearer(token('u1', ['*'])) })).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(document.paths)).toContain('/workflows/tree/execute');
      const result = await new Validator().validate(document as never);
      expect(result.errors).toBeUndefined();
      expect(JSON.stringify(document)).not.toContain('#/$defs/');
    } finally {
      app.deregister('tree');
    }
    const after = (await (await fetch(`${base}/openapi.json`, { headers: bearer(token('u1', ['*'])) })).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(after.paths)).not.toContain('/workflows/tree/execute');
  });

  const executePaths = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers });
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, unknown> };
    return Object.keys(document.paths).filter((path) => path.endsWith('/execute')).map((path) => path.split('/')[2]).sort();
  };

  it('shows each caller only the operations it may call, as GET /workflows does; anonymous callers the public ones', async () => {
    expect(await executePaths(`${base}/openapi.json`)).toEqual(['context', 'wait']);
    const headers = bearer(token('u1', ['execute:echo', 'execute:doubler']));
    const listed = (await (await fetch(`${base}/workflows`, { headers })).json()) as { workflows: { name: string }[] };
    expect(await executePaths(`${base}/openapi.json`, headers)).toEqual(listed.workflows.map((entry) => entry.name).sort());
    expect(await executePaths(`${base}/openapi.json`, headers)).not.toContain('boom');
  });

  it('refuses a bad credential as GET /workflows does', async () => {
    expect((await fetch(`${base}/openapi.json`, { headers: bearer('bad') })).status).toBe(401);
  });

  it('publishes the whole document to anyone with openapi: { public: true }', async () => {
    const open = createTestApp({ auth: true });
    const { base: openBase } = await startApi(open, { openapi: { public: true } });
    try {
      expect(await executePaths(`${openBase}/openapi.json`)).toEqual(open.allOperations().map((op) => op.name).sort());
    } finally {
      await open.stop();
    }
  });
});

describe('everything else', () => {
  it('answers unknown routes with 404 problem+json and a request id', async () => {
    const response = await fetch(`${base}/no/such/route`, { headers: { 'x-request-id': 'rid-404' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('x-request-id')).toBe('rid-404');
    expect(await response.json()).toMatchObject({ type: 'urn:nexus:error:NOT_FOUND', status: 404, code: 'NOT_FOUND', requestId: 'rid-404' });
  });

  it('answers a malformed path with 400 problem+json, not an HTML stack page', async () => {
    const response = await fetch(`${base}/workflows/%E0%A4%A/execute`, { method: 'POST' });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'INVALID_INPUT' });
    expect(text).not.toMatch(/at .+:\d+:\d+/);
  });
});
