import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import type { Nexus } from '@nexus/core';
import { createTestApp, token } from './fixtures.js';
import { startApi } from './http-driver.js';

let app: Nexus;
let base: string;
const runs = { count: 0 };
const auth = { authorization: `Bearer ${token('u1')}`, 'content-type': 'application/json' };
const post = (inputs: unknown, headers: Record<string, string>) =>
  fetch(`${base}/workflows/count/execute`, { method: 'POST', headers: { ...auth, ...headers }, body: JSON.stringify({ inputs }) });

beforeAll(async () => {
  app = createTestApp({ auth: true });
  app.handler('count', { description: 'Counts its runs.', input: z.object({ n: z.number() }), permission: 'execute:echo' }, () => ({ run: ++runs.count }));
  app.handler('peek', { description: 'Reads.', input: z.object({}), permission: 'execute:echo', annotations: { readOnly: true } }, () => ({}));
  ({ base } = await startApi(app));
});
afterAll(() => app.stop());

describe('Idempotency-Key on HTTP', () => {
  it('replays the stored result with Idempotent-Replayed: true, without a second run', async () => {
    const first = await post({ n: 1 }, { 'Idempotency-Key': 'http-1' });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const retry = await post({ n: 1 }, { 'Idempotency-Key': 'http-1' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(((await retry.json()) as { result: unknown }).result).toEqual({ run: 1 });
    expect(runs.count).toBe(1);
  });

  it('reads the key as a structured-field string too ("..."), as the IETF draft writes it', async () => {
    await post({ n: 1 }, { 'Idempotency-Key': '"http-2"' });
    const retry = await post({ n: 1 }, { 'Idempotency-Key': 'http-2' });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 422 IDEMPOTENCY_MISMATCH as problem+json for the same key with another input', async () => {
    await post({ n: 1 }, { 'Idempotency-Key': 'http-3' });
    const other = await post({ n: 2 }, { 'Idempotency-Key': 'http-3' });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await other.json()).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH', status: 422, title: 'Idempotency key reused' });
  });

  it('answers 400 INVALID_INPUT for a key over 255 characters', async () => {
    const response = await post({ n: 1 }, { 'Idempotency-Key': 'k'.repeat(256) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('INVALID_INPUT');
  });

  it('is in the OpenAPI document: the header parameter and Idempotent-Replayed on operations that are not read-only', async () => {
    const document = (await (await fetch(`${base}/openapi.json`, { headers: auth })).json()) as Record<string, any>;
    const count = document.paths['/workflows/count/execute'].post;
    const peek = document.paths['/workflows/peek/execute'].post;
    expect(count.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(peek.parameters).not.toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(document.components.parameters.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header', required: false });
    expect(count.responses['200'].headers['Idempotent-Replayed']).toBeDefined();
    expect(peek.responses['200'].headers['Idempotent-Replayed']).toBeUndefined();
  });
});
