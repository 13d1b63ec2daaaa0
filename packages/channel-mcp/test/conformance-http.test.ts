import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, it, beforeAll, afterAll } from '@jest/globals';
import { createConformanceAuth } from '@nexus/auth/testing';
import { runChannelConformance } from '@nexus/core/testing';
import type { ChannelUnderTest } from '@nexus/core/testing';
import { createMcpChannel } from '../src/index.js';
import { mcpDriver, rawHttpToolCall } from './support/mcp-driver.js';

const target = (stateful: boolean): ChannelUnderTest => ({
  name: stateful ? 'mcp (streamable http, stateful)' : 'mcp (streamable http)',
  // Raw messages (and so the oversize case) go to the stateless endpoint only.
  ...(stateful ? {} : { maxInputBytes: 1024 * 1024 }),
  async connect(app) {
    const channel = createMcpChannel({ port: 0, stateful });
    app.addChannel(channel);
    await app.start();
    const url = new URL(channel.address()!.url);
    const transportFor = (token: string | undefined) => new StreamableHTTPClientTransport(url, token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {});
    // Raw messages go without a session: only the stateless endpoint takes them.
    return stateful ? mcpDriver(transportFor) : mcpDriver(transportFor, undefined, rawHttpToolCall(url));
  },
});

const test = { describe, it, beforeAll, afterAll };
runChannelConformance(target(false), { test });
runChannelConformance({ ...target(false), name: 'mcp (streamable http) with auth' }, { test, auth: createConformanceAuth() });
runChannelConformance(target(true), { test });
