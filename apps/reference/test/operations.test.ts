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
const build = () => createReferenceApp(loadConfig({ NEXUS_JWT_SECRET: secret, NEXUS_API_PORT: '0', NEXUS_AUDIT_FILE: join(tmpdir(), `nexus-operations-audit-${process.pid}.log`) }), { logger: silentLogger, auditToStderr: false }).app;

describe('deep_health', () => {
  it('reports channels this process does not serve as such (the in-process CLI)', async () => {
    const app = build();
    const result = await app.invoke({ channel: 'cli', operation: 'deep_health', credential: operator() });
    expect(result.ok && result.value).toEqual({ status: 'healthy', channels: { api: 'not served', cli: 'available', mcp: 'not served' } });
    await app.stop();
  });

  it('reports the API listener running while it serves, and down once it stops', async () => {
    const app = build();
    app.addChannel(createApiChannel({ port: 0 }));
    await app.start();
    const running = await app.invoke({ channel: 'cli', operation: 'deep_health', credential: operator() });
    expect(running.ok && running.value).toMatchObject({ channels: { api: 'running', mcp: 'not served' } });
    await app.stop();
    expect((await app.healthCheck()).checks['channel:api']?.status).not.toBe('healthy');
  });
});
