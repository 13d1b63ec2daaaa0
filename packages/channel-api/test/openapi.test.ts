import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import type { Nexus } from '@nexus/core';
import { createTestApp, token } from './fixtures.js';
import { startApi } from './http-driver.js';
import { redoclyLint } from './redocly.js';

let app: Nexus;
let base: string;
type Doc = { servers?: { url: string }[]; paths: Record<string, Record<string, any>>; components: Record<string, Record<string, any>> };
let document: Doc;
const statuses = (operation: { responses: Record<string, unknown> }) => Object.keys(operation.responses).sort();

beforeAll(async () => {
  app = createTestApp({ auth: true, nexus: { enableMonitoring: true } });
  app.handler(
    'erase',
    {
      description: 'Erases a record.',
      input: z.strictObject({ id: z.string() }),
      output: z.object({ erased: z.number().int() }),
      annotations: { title: 'Erase a record', destructive: true, idempotent: true },
      deprecated: true,
      examples: [{ summary: 'one record', input: { id: 'r-1' }, output: { erased: 1 } }],
    },
    () => ({ erased: 1 }),
  );
  app.handler('compile', { description: 'Compiles for minutes.', longRunning: true, input: z.strictObject({ target: z.string() }), output: z.object({ size: z.number() }) }, () => ({ size: 1 }));
  ({ base } = await startApi(app, { openapi: { servers: [{ url: 'https://api.example.org', description: 'public' }] } }));
  // A caller allowed everything sees every operation (anonymous callers see the public ones).
  document = (await (await fetch(`${base}/openapi.json`, { headers: { authorization: `Bearer ${token('u1', ['*'])}` } })).json()) as Doc;
});
afterAll(() => app.stop());

describe('operation metadata in OpenAPI', () => {
  it('uses the output schema as the 200 result, and marks annotations and deprecation', () => {
    const erase = document.paths['/workflows/erase/execute']!.post;
    const result = erase.responses['200'].content['application/json'].schema.properties.result;
    const resolved = result.$ref ? document.components.schemas![result.$ref.split('/').pop()] : result;
    expect(resolved).toMatchObject({ type: 'object', properties: { erased: { type: 'integer' } }, required: ['erased'] });
    expect(erase['x-nexus-annotations']).toEqual({ title: 'Erase a record', destructive: true, idempotent: true });
    expect(erase.deprecated).toBe(true);
    expect(erase.requestBody.content['application/json'].examples).toEqual({ 'one record': { summary: 'one record', value: { inputs: { id: 'r-1' } } } });
    expect(document.paths['/workflows/echo/execute']!.post.deprecated).toBeUndefined();
  });
});

describe('long-running operations in OpenAPI', () => {
  it('documents a long-running operation as 202 with Location and the operation id, and marks it', () => {
    const compile = document.paths['/workflows/compile/execute']!.post;
    expect(compile['x-nexus-long-running']).toBe(true);
    const accepted = compile.responses['202'];
    expect(Object.keys(accepted.headers)).toEqual(expect.arrayContaining(['Location', 'Preference-Applied', 'X-Request-ID']));
    expect(accepted.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OperationAccepted' });
    expect(document.components.schemas!.OperationAccepted).toMatchObject({ required: ['operationId', 'status', 'requestId'] });
    expect(document.paths['/workflows/echo/execute']!.post['x-nexus-long-running']).toBeUndefined();
  });

  it('documents Prefer: respond-async on every execute route', () => {
    for (const name of ['echo', 'compile']) {
      expect(document.paths[`/workflows/${name}/execute`]!.post.parameters).toContainEqual({ $ref: '#/components/parameters/PreferRespondAsync' });
    }
    expect(document.components.parameters!.PreferRespondAsync).toMatchObject({ name: 'Prefer', in: 'header', schema: { type: 'string' } });
  });

  it('documents the status, list and cancel routes with the operation record', () => {
    const operation = document.components.schemas!.Operation;
    expect(operation.required).toEqual(['operationId', 'operation', 'status', 'createdAt']);
    expect(operation.properties.status.enum).toEqual(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
    expect(operation.properties.error).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(document.paths['/operations/{id}']!.get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Operation' });
    expect(document.paths['/operations/{id}']!.delete.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Operation' });
    expect(document.paths['/operations']!.get.responses['200'].content['application/json'].schema).toMatchObject({ properties: { operations: { type: 'array', items: { $ref: '#/components/schemas/Operation' } } } });
  });
});

describe('an accurate document', () => {
  it('has the configured servers, or the relative root by default', async () => {
    expect(document.servers).toEqual([{ url: 'https://api.example.org', description: 'public' }]);
    const local = createTestApp();
    const { base: url } = await startApi(local);
    try {
      expect(((await (await fetch(`${url}/openapi.json`)).json()) as Doc).servers).toEqual([{ url: '/' }]);
    } finally {
      await local.stop();
    }
  });

  it('lists per route only the errors that route can return', () => {
    const paths = document.paths;
    // 202: any operation runs as a job on Prefer: respond-async.
    expect(statuses(paths['/workflows/echo/execute']!.post)).toEqual(['200', '202', '400', '401', '403', '409', '413', '415', '422', '429', '500', '503', '504']);
    // A public operation: no credential is asked for, so no 401; no authorizer runs, so no 403.
    expect(statuses(paths['/workflows/context/execute']!.post)).toEqual(['200', '202', '400', '409', '413', '415', '422', '429', '500', '503', '504']);
    // A long-running operation always answers 202: no 200, and no 504 (its deadline runs on the worker).
    expect(statuses(paths['/workflows/compile/execute']!.post)).toEqual(['202', '400', '401', '403', '409', '413', '415', '422', '429', '500', '503']);
    // A malformed page cursor or limit is the list's 400.
    expect(statuses(paths['/operations']!.get)).toEqual(['200', '400', '401', '429', '500', '503']);
    expect(statuses(paths['/operations/{id}']!.get)).toEqual(['200', '401', '404', '429', '500', '503']);
    expect(statuses(paths['/operations/{id}']!.delete)).toEqual(['200', '401', '404', '409', '429', '500', '503']);
    expect(statuses(paths['/workflows']!.get)).toEqual(['200', '401', '429', '500']);
    expect(statuses(paths['/workflows/{name}']!.get)).toEqual(['200', '401', '404', '429', '500']);
    expect(statuses(paths['/health']!.get)).toEqual(['200', '503']);
    expect(statuses(paths['/health/live']!.get)).toEqual(['200']);
    expect(statuses(paths['/openapi.json']!.get)).toEqual(['200', '429', '500']);
  });

  it('documents the rate-limit headers and Retry-After', () => {
    const echo = document.paths['/workflows/echo/execute']!.post;
    expect(Object.keys(echo.responses['200'].headers).sort()).toEqual(['Idempotent-Replayed', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'X-Request-ID']);
    expect(document.components.responses!.RateLimited.headers['Retry-After']).toBeDefined();
    expect(echo.responses['429']).toEqual({ $ref: '#/components/responses/RateLimited' });
  });

  it('states the {inputs} wrapper strictly', () => {
    const body = document.paths['/workflows/echo/execute']!.post.requestBody.content['application/json'].schema;
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(body.properties).sort()).toEqual(['inputs', 'parameters']);
  });

  it('passes redocly lint (recommended rules) with no errors', async () => {
    const lint = await redoclyLint(document);
    process.stdout.write(`redocly lint /openapi.json: ${lint.errors.length} errors, ${lint.warnings.length} warnings\n${lint.summary}\n`);
    expect(lint.errors).toEqual([]);
  });
});

describe('the strict {inputs} wrapper at run time', () => {
  const post = (body: unknown) =>
    fetch(`${base}/workflows/echo/execute`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token('u1')}` }, body: JSON.stringify(body) });

  it('says the wrapper is wrong when the fields are posted bare', async () => {
    const response = await post({ message: 'x' });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { detail: string; errors: { path: string; message: string }[] };
    expect(problem.detail).toMatch(/\{"inputs": \{\.\.\.\}\}/);
    expect(problem.errors).toEqual([{ path: 'message', message: expect.stringMatching(/inside "inputs"/) }]);
  });

  it('still runs a wrapped call', async () => {
    expect((await post({ inputs: { message: 'x' } })).status).toBe(200);
  });
});
