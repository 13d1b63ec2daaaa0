import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { z } from 'zod';
import { NexusAuthPlugin } from '@nexus/auth';
import type { RateLimitConfig } from '@nexus/auth';
import { Nexus, createJsonLogger, isNexusSetupError } from '@nexus/core';
import { createApiChannel } from '../src/index.js';

const secret = 'channel-api-start-secret-at-least-32-bytes-long';
const apps: Nexus[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

function appWith(rateLimit: RateLimitConfig, options: { logStartup?: boolean; lines?: string[] } = {}): Nexus {
  const lines = options.lines ?? [];
  const app = new Nexus({ logger: createJsonLogger({ write: (line) => void lines.push(line) }), enableMonitoring: true, ...(options.logStartup ? { logStartup: true } : {}) });
  apps.push(app);
  app.addPlugin(NexusAuthPlugin.enterprise({ jwt: { secret }, rbac: { admin: ['*'] }, audit: { backend: () => {} }, rateLimit }));
  app.handler('echo', { description: 'Echo', input: z.object({ message: z.string() }) }, (input) => input);
  app.addChannel(createApiChannel({ port: 0 }).addRouter('/admin', express.Router()));
  return app;
}

describe('start-up', () => {
  it('refuses a routeLimits key that matches no served path, naming it and the paths that exist', async () => {
    const app = appWith({ routeLimits: { '/api/workflows/*': { requestsPerMinute: 1000 }, '/health': null } });
    const thrown = await app.start().then(() => undefined, (error: unknown) => error);
    expect(isNexusSetupError(thrown)).toBe(true);
    const message = (thrown as Error).message;
    expect(message).toContain('"/api/workflows/*"');
    for (const path of ['/workflows/echo/execute', '/health', '/metrics', '/admin/*']) expect(message).toContain(path);
  });

  it('accepts keys that match operation paths, probes and paths under a mounted router', async () => {
    const app = appWith({ routeLimits: { '/workflows/*': { requestsPerMinute: 10 }, '/health/*': null, '/admin/stats': { requestsPerMinute: 1 } } });
    await expect(app.start()).resolves.toEqual([{ channel: 'api', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }]);
  });

  it('resolves with the listening address, which answers, and logs it with logStartup', async () => {
    const lines: string[] = [];
    const app = appWith({}, { logStartup: true, lines });
    const [api] = await app.start();
    expect((await fetch(`${api!.url}/health/live`)).status).toBe(200);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.channel === 'api');
    expect(logged).toEqual([expect.objectContaining({ level: 'info', message: `api listening on ${api!.url}`, url: api!.url })]);
  });

  it('logs no startup line unless asked', async () => {
    const lines: string[] = [];
    const app = appWith({}, { lines });
    await app.start();
    expect(lines.filter((line) => line.includes('listening'))).toEqual([]);
  });
});
