import { afterEach, describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import type { Nexus } from '@nexus/core';
import { createMcpChannel } from '../src/index.js';
import { createTestApp } from './support/apps.js';

let app: Nexus | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the channel:mcp health check', () => {
  it('is healthy while the HTTP listener listens and makes /health unhealthy once it is down', async () => {
    app = createTestApp();
    const channel = createMcpChannel({ port: 0 });
    app.addChannel(channel);
    expect((await app.healthCheck()).checks['channel:mcp']).toEqual({ status: 'unhealthy', detail: 'not listening' });
    await app.start();
    const up = await app.healthCheck();
    expect(up.checks['channel:mcp']).toEqual({ status: 'healthy' });
    expect(up.status).toBe('healthy');

    // The listener goes away while the app still runs.
    await channel.stop({ graceMs: 0 });
    const down = await app.healthCheck();
    expect(down.checks['channel:mcp']).toEqual({ status: 'unhealthy', detail: 'not listening' });
    expect(down.status).toBe('unhealthy');
  });

  it('over stdio is healthy until the client closes its input', async () => {
    app = createTestApp();
    const input = new PassThrough();
    app.addChannel(createMcpChannel({ transport: 'stdio', input, output: new PassThrough(), env: {} }));
    await app.start();
    expect((await app.healthCheck()).checks['channel:mcp']).toEqual({ status: 'healthy' });
    input.end();
    await until(async () => (await app!.healthCheck()).checks['channel:mcp']?.status === 'unhealthy', 10_000);
    expect((await app.healthCheck()).checks['channel:mcp']).toEqual({ status: 'unhealthy', detail: 'stdio closed' });
  });
});
