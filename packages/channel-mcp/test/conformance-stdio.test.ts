import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, it, beforeAll, afterAll } from '@jest/globals';
import { CONFORMANCE_AUTH_SECRET, createConformanceAuth } from '@nexus/auth/testing';
import { runChannelConformance } from '@nexus/core/testing';
import type { ChannelUnderTest } from '@nexus/core/testing';
import { mcpDriver, rawStdioToolCall } from './support/mcp-driver.js';

const bin = fileURLToPath(new URL('../dist/bin/stdio.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/conformance-app.mjs', import.meta.url));

/**
 * The kit mints a new token string every second (iat, exp), yet the suite expects calls made as
 * one principal to reach one process (it reads side effects back). So a server process is chosen
 * by the token's validity and its claims without the time fields.
 */
function principalKey(token: string | undefined): string {
  if (token === undefined) return 'anonymous';
  const [header = '', payload = '', signature = ''] = token.split('.');
  const expected = createHmac('sha256', CONFORMANCE_AUTH_SECRET).update(`${header}.${payload}`).digest('base64url');
  if (signature !== expected) return `unverified:${token}`;
  const { iat: _iat, exp: _exp, nbf: _nbf, jti: _jti, ...claims } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return JSON.stringify(claims);
}

/** Spawns the built stdio entry point once per token: the token is the server's environment. */
function stdioTarget(auth: boolean): ChannelUnderTest {
  return {
    name: auth ? 'mcp (stdio) with auth' : 'mcp (stdio)',
    // One spawned process serves every call made as one principal, so side effects reached through
    // operations (cancellations) are observable. With auth the kit's audit records live in the
    // child, out of the test's reach, so that run declares the app unshared.
    sharedApp: !auth,
    // The stdio channel's line limit (maxLineBytes, 1 MiB by default), like HTTP's body limit.
    maxInputBytes: 1024 * 1024,
    async connect() {
      const envFor = (token: string | undefined) => {
        const env: Record<string, string> = { PATH: process.env.PATH ?? '', NEXUS_CONFORMANCE_AUTH: auth ? '1' : '0' };
        if (token !== undefined) env.NEXUS_TOKEN = token;
        return env;
      };
      return mcpDriver(
        (token) => new StdioClientTransport({ command: process.execPath, args: [bin, fixture], env: envFor(token), stderr: 'ignore' }),
        principalKey,
        rawStdioToolCall(process.execPath, [bin, fixture], envFor),
      );
    },
  };
}

const test = { describe, it, beforeAll, afterAll };
runChannelConformance(stdioTarget(false), { test });
// The spawned server builds the same kit; its fixed default secret accepts the tokens minted here.
runChannelConformance(stdioTarget(true), { test, auth: createConformanceAuth() });
