import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpDriver, mcpHttpDriver, remoteCliDriver } from '../support/channels.js';
import type { ChannelDriver } from '../support/channels.js';
import { killAll, startApp } from '../support/processes.js';
import type { AppProcess } from '../support/processes.js';
import { mint, newSecret } from '../support/tokens.js';

const secret = newSecret();
let limited: AppProcess;
let throttled: AppProcess;

beforeAll(async () => {
  // A budget of 3 calls per caller (1 per minute + a burst of 2), refilled far slower than the test runs.
  [limited, throttled] = await Promise.all([
    startApp({ NEXUS_JWT_SECRET: secret, NEXUS_RATE_LIMIT_RPM: '1', NEXUS_RATE_LIMIT_BURST: '2' }),
    startApp({ NEXUS_JWT_SECRET: secret }),
  ]);
}, 40_000);

afterAll(async () => {
  await Promise.all([limited?.stop(), throttled?.stop()]);
  await killAll();
});

// The in-process CLI and MCP over stdio are left out: their tenant is fixed per process (--tenant,
// NEXUS_TENANT), so each tenant named is a new process with a new in-memory budget.
const drivers: Record<string, () => ChannelDriver> = {
  'HTTP': () => httpDriver(limited.api),
  'remote CLI': () => remoteCliDriver(limited.api),
  'MCP over Streamable HTTP': () => mcpHttpDriver(limited.mcp),
};

describe.each(Object.keys(drivers))('an administrator naming other tenants over %s', (channel) => {
  it('spends its own budget: a new tenant per call opens no fresh bucket', async () => {
    const driver = drivers[channel]!();
    try {
      const admin = mint(secret, `e2e-limit-admin-${channel}`, ['admin'], 'acme');
      const codes: string[] = [];
      for (const tenant of ['t-1', 't-2', 't-3', 't-4', 't-5']) codes.push((await driver.call({ token: admin, tenant }, 'echo', { message: 'hi' })).code);
      expect(codes[0]).toBe('ok');
      expect(codes.at(-1)).toBe('RATE_LIMITED');
    } finally {
      await driver.close();
    }
  }, 60_000);
});

describe('the failed-authentication throttle, from one address that sent 25 garbage tokens', () => {
  const garbage = mint(newSecret(), 'e2e-mallory', ['admin'], 'acme');
  const post = (token: string) =>
    fetch(`${throttled.api}/workflows/echo/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: { message: 'hi' } }),
      signal: AbortSignal.timeout(5_000),
    });

  beforeAll(async () => {
    for (let i = 0; i < 25; i++) await (await post(garbage)).arrayBuffer();
  }, 30_000);

  it('answers a further failing credential 429 over HTTP', async () => {
    const response = await post(garbage);
    await response.arrayBuffer();
    expect(response.status).toBe(429);
  });

  it.each([
    ['HTTP', () => httpDriver(throttled.api)],
    ['remote CLI', () => remoteCliDriver(throttled.api)],
    ['MCP over Streamable HTTP', () => mcpHttpDriver(throttled.mcp)],
  ] as const)('still admits a new valid token over %s', async (_channel, make) => {
    const driver = make();
    try {
      const fresh = mint(secret, `e2e-newcomer-${_channel}`, ['developer'], 'acme');
      expect((await driver.call({ token: fresh }, 'echo', { message: 'hi' })).code).toBe('ok');
    } finally {
      await driver.close();
    }
  }, 30_000);
});
