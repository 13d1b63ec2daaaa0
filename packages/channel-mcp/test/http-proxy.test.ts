import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import type { TrustedProxies } from '@nexus/core';
import { z } from 'zod';
import { createMcpChannel } from '../src/index.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const apps: Nexus[] = [];

async function serve(trustProxy?: TrustedProxies): Promise<string> {
  const app = new Nexus({ logger: silentLogger });
  app.handler('whoami', { description: 'Returns the client address it saw.', input: z.object({}) }, (_input, ctx) => ({ address: ctx.clientAddress ?? null }));
  const channel = createMcpChannel({ port: 0, ...(trustProxy === undefined ? {} : { trustProxy }) });
  app.addChannel(channel);
  await app.start();
  apps.push(app);
  return channel.address()!.url;
}

async function addressSeen(url: string, forwardedFor?: string): Promise<unknown> {
  const headers = { ...HEADERS, ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }) };
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }) });
  return ((await response.json()) as { result: { structuredContent: { address: unknown } } }).result.structuredContent.address;
}

afterAll(async () => {
  for (const app of apps) await app.stop();
});

describe('the client address over Streamable HTTP', () => {
  let plain: string;
  let proxied: string;
  let elsewhere: string;
  beforeAll(async () => {
    plain = await serve();
    proxied = await serve(['loopback']);
    elsewhere = await serve(['10.0.0.1']);
  });

  it('is the socket address, X-Forwarded-For ignored, when no proxy is trusted', async () => {
    expect(await addressSeen(plain)).toBe('127.0.0.1');
    expect(await addressSeen(plain, '203.0.113.7')).toBe('127.0.0.1');
  });

  it('is the rightmost untrusted X-Forwarded-For hop when the peer is a trusted proxy', async () => {
    expect(await addressSeen(proxied, '203.0.113.7')).toBe('203.0.113.7');
    expect(await addressSeen(proxied, '198.51.100.1, 203.0.113.7, 127.0.0.1')).toBe('203.0.113.7');
    expect(await addressSeen(proxied)).toBe('127.0.0.1');
  });

  it('ignores X-Forwarded-For from a peer that is not one of the trusted proxies', async () => {
    expect(await addressSeen(elsewhere, '203.0.113.7')).toBe('127.0.0.1');
  });
});
