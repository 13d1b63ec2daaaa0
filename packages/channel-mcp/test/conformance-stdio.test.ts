import { fileURLToPath } from 'node:url';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, it, beforeAll, afterAll } from '@jest/globals';
import { runChannelConformance } from '@nexus/core/testing';
import type { ChannelUnderTest } from '@nexus/core/testing';
import { mcpDriver } from './support/mcp-driver.js';

const bin = fileURLToPath(new URL('../dist/bin/stdio.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/conformance-app.mjs', import.meta.url));

/** Spawns the built stdio entry point once per token: the token is the server's environment. */
export function stdioTarget(auth: boolean): ChannelUnderTest {
  return {
    name: 'mcp (stdio)',
    // One spawned process serves every call made with a token, so its side effects are observable.
    sharedApp: true,
    async connect() {
      return mcpDriver((token) => {
        const env: Record<string, string> = { PATH: process.env.PATH ?? '', NEXUS_CONFORMANCE_AUTH: auth ? '1' : '0' };
        if (token !== undefined) env.NEXUS_TOKEN = token;
        return new StdioClientTransport({ command: process.execPath, args: [bin, fixture], env, stderr: 'ignore' });
      });
    },
  };
}

runChannelConformance(stdioTarget(false), { test: { describe, it, beforeAll, afterAll } });
