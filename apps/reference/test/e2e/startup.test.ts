import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAIN_JS, cleanEnv, killAll, runNode, startApp } from '../support/processes.js';
import type { Completed } from '../support/processes.js';
import { createAccessToken } from '@nexus/auth';
import { newSecret } from '../support/tokens.js';

afterAll(async () => {
  await killAll();
});

/** Runs a shell command line exactly as printed, bounded. */
function bash(line: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', line], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('dev mode (no secret, no JWKS)', () => {
  it('warns, prints an admin token, and a curl line that works exactly as printed', async () => {
    const server = await startApp({});
    const curlLine = () => server.stderr().split('\n').find((line) => line.startsWith('curl '));
    // The banner follows the listening line; wait for the whole curl line.
    await until(() => curlLine() !== undefined && server.stderr().includes(`${curlLine()}\n`), 20_000);
    expect(server.stderr()).toContain('"mode":"dev"');
    expect(server.stderr()).toMatch(/WARNING: DEV MODE/);
    expect(server.stderr()).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/m);
    // Without REDIS_URL the server keeps jobs in memory, and says so once as it starts.
    expect(server.stderr().split('\n').filter((line) => line.includes('lost on restart'))).toHaveLength(1);

    const result = await bash(curlLine()!);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as { result: { message: string }; requestId: string };
    expect(body.result).toEqual({ message: 'hello' });
    expect(typeof body.requestId).toBe('string');
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  }, 30_000);
});

describe('NEXUS_JWT_ALGORITHM with a secret', () => {
  it('verifies HS512 tokens when HS512 is chosen, and refuses HS256 ones', async () => {
    const secret = newSecret();
    const server = await startApp({ NEXUS_JWT_SECRET: secret, NEXUS_JWT_ALGORITHM: 'HS512' });
    try {
      const status = async (algorithm: 'HS256' | 'HS512') => {
        const token = createAccessToken({ key: secret, subject: 'alg-check', roles: ['developer'], tenant: 'acme', algorithm });
        const response = await fetch(`${server.api}/workflows/echo/execute`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: { message: 'hi' } }),
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        return response.status;
      };
      expect(await status('HS512')).toBe(200);
      expect(await status('HS256')).toBe(401);
    } finally {
      await server.stop();
    }
  }, 30_000);
});

describe('bad configuration', () => {
  const weakSecret = 'x'.repeat(31);
  const cases: ReadonlyArray<readonly [string, Record<string, string>, RegExp, string[]?]> = [
    ['a 31-byte NEXUS_JWT_SECRET', { NEXUS_JWT_SECRET: weakSecret }, /NEXUS_JWT_SECRET must be at least 32 bytes/],
    ['both a secret and a JWKS URL', { NEXUS_JWT_SECRET: newSecret(), NEXUS_JWKS_URL: 'http://127.0.0.1:9/jwks' }, /NEXUS_JWT_SECRET.*NEXUS_JWKS_URL.*not both/],
    ['NEXUS_API_PORT=abc', { NEXUS_JWT_SECRET: newSecret(), NEXUS_API_PORT: 'abc' }, /NEXUS_API_PORT must be an integer/],
    ['an audit file that cannot be opened', { NEXUS_JWT_SECRET: newSecret(), NEXUS_AUDIT_FILE: '/nonexistent-dir/audit.log' }, /NEXUS_ERR_AUDIT_CONFIG: the audit file .* cannot be opened/],
    ['--mcp-stdio in dev mode (no secret a client could know)', {}, /--mcp-stdio needs NEXUS_JWT_SECRET/, ['--mcp-stdio']],
    ['NEXUS_JWT_ALGORITHM=HS999 with a secret', { NEXUS_JWT_SECRET: newSecret(), NEXUS_JWT_ALGORITHM: 'HS999' }, /NEXUS_JWT_ALGORITHM must be HS256, HS384 or HS512 with NEXUS_JWT_SECRET, got "HS999"/],
    ['NEXUS_JWT_ALGORITHM=RS256 with a secret', { NEXUS_JWT_SECRET: newSecret(), NEXUS_JWT_ALGORITHM: 'RS256' }, /NEXUS_JWT_ALGORITHM must be HS256, HS384 or HS512/],
  ];

  // The processes run side by side: each spends its time loading modules, not waiting.
  let runs: Completed[] = [];
  beforeAll(async () => {
    runs = await Promise.all(cases.map(([, env, , args]) => runNode(MAIN_JS, args ?? [], { env: cleanEnv({ NEXUS_API_PORT: '0', NEXUS_MCP_PORT: '0', ...env }), timeoutMs: 15_000 })));
  }, 30_000);

  it.each(cases.map((entry, index) => [entry[0], index, entry[2]] as const))('%s: exits non-zero with one clear line and no stack trace', (_name, index, message) => {
    const done = runs[index]!;
    expect(done.signal).toBeNull();
    expect(done.code).not.toBe(0);
    const lines = done.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(done.stderr).not.toMatch(/^\s+at /m);
    expect(done.stderr).not.toContain(weakSecret);
    expect(done.stdout).toBe('');
  });
});
