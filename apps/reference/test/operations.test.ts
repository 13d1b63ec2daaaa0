import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccessToken } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { silentLogger } from '@nexus/core';
import { createReferenceApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const secret = randomBytes(48).toString('base64url');
const operator = () => ({ kind: 'bearer' as const, token: createAccessToken({ subject: 'ops', key: secret, roles: ['operator'], tenant: 'acme' }) });
const build = async () => (await createReferenceApp(loadConfig({ NEXUS_JWT_SECRET: secret, NEXUS_API_PORT: '0', NEXUS_AUDIT_FILE: join(tmpdir(), `nexus-operations-audit-${process.pid}.log`) }), { logger: silentLogger, auditToStderr: false })).app;

describe('deep_health', () => {
  it('reports channels this process does not serve as such (the in-process CLI)', async () => {
    const app = await build();
    const result = await app.invoke({ channel: 'cli', operation: 'deep_health', credential: operator() });
    expect(result.ok && result.value).toEqual({ status: 'healthy', channels: { api: 'not served', cli: 'available', mcp: 'not served' } });
    await app.stop();
  });

  it('reports the API listener running while it serves, and down once it stops', async () => {
    const app = await build();
    app.addChannel(createApiChannel({ port: 0 }));
    await app.start();
    const running = await app.invoke({ channel: 'cli', operation: 'deep_health', credential: operator() });
    expect(running.ok && running.value).toMatchObject({ channels: { api: 'running', mcp: 'not served' } });
    await app.stop();
    expect((await app.healthCheck()).checks['channel:api']?.status).not.toBe('healthy');
  });
});

describe('operation metadata', () => {
  it('every operation declares its output and annotations', async () => {
    const app = await build();
    const missing = app.allOperations().filter((operation) => operation.outputSchema === undefined || operation.annotations === undefined).map((operation) => operation.name);
    expect(missing).toEqual([]);
    await app.stop();
  });

  it.each([
    ['gdpr_delete_user_data', { destructive: true }],
    ['system_status', { readOnly: true }],
    ['deep_health', { readOnly: true }],
    ['gdpr_export_user_data', { readOnly: true }],
  ])('%s is marked %j', async (name, hints) => {
    const app = await build();
    expect(app.operation(name)?.annotations).toMatchObject(hints);
    await app.stop();
  });

  it('results of real calls pass their output schemas', async () => {
    const app = await build();
    const admin = { kind: 'bearer' as const, token: createAccessToken({ subject: 'root', key: secret, roles: ['admin'], tenant: 'acme' }) };
    const calls: [string, Record<string, unknown>][] = [
      ['echo', { message: 'hi' }],
      ['system_status', {}],
      ['deep_health', {}],
      ['tenant_data_processing', { customer_id: 'c-1' }],
      ['customer_upsert', { user_id: 'u-1', profile: { email: 'a@b.c' } }],
      ['gdpr_export_user_data', { user_id: 'u-1' }],
      ['gdpr_delete_user_data', { user_id: 'u-1' }],
      ['tenant_workflow', { compliance_level: 'gdpr' }],
    ];
    for (const [operation, input] of calls) {
      const result = await app.invoke({ channel: 'cli', operation, input, credential: admin });
      expect([operation, result.ok]).toEqual([operation, true]);
    }
    await app.stop();
  });
});
