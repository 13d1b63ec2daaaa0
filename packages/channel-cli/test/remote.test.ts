import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { createRemoteCli } from '../src/index.js';
import { EXIT_CODES } from '../src/exit-codes.js';
import { startTestServer } from './support/http-server.js';
import { bufferedIo } from './support/io.js';
import { NEXUS_BIN } from './support/spawn.js';

const app = new Nexus({ logger: silentLogger });
const headersSeen: Record<string, unknown>[] = [];
app.use('observe', (ctx, next) => {
  headersSeen.push({ ...ctx.transport.headers });
  return next();
});
app.handler('echo', { description: 'Echo.', input: z.object({ message: z.string() }) }, ({ message }) => ({ message, at: 'server' }));
let server: Awaited<ReturnType<typeof startTestServer>>;
const silent = createServer((_req, _res) => {});
const broken = createServer((_req, res) => res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>oops</h1>'));
const urlOf = (s: typeof silent) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

beforeAll(async () => {
  server = await startTestServer(app);
  await Promise.all([silent, broken].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
});
afterAll(async () => {
  await server.close();
  for (const s of [silent, broken]) {
    s.closeAllConnections();
    s.close();
  }
});

const run = async (argv: string[]) => {
  const { io, out, err } = bufferedIo({ tty: true });
  const code = await createRemoteCli().run(argv, io);
  return { code, stdout: out.text, stderr: err.text };
};

describe('nexus (remote mode)', () => {
  it('pipes `run --output json` into a JSON parser from the real bin', async () => {
    const child = spawn(process.execPath, [NEXUS_BIN, '--url', server.url, '--output', 'json', 'run', 'echo', '--param', 'message=piped'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(text)).toEqual({ message: 'piped', at: 'server' });
    expect(text.split('\n')).toEqual([JSON.stringify({ message: 'piped', at: 'server' }), '']);
  });

  it('prints a piped run\'s error as text on stderr, the problem object only with --output json', async () => {
    const spawnBin = async (args: string[]) => {
      const child = spawn(process.execPath, [NEXUS_BIN, '--url', server.url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      return { code, stdout, stderr };
    };
    const [text, json] = await Promise.all([
      spawnBin(['--request-id', 'piped-1', 'run', 'echo']),
      spawnBin(['--request-id', 'piped-2', '--output', 'json', 'run', 'echo']),
    ]);
    expect(text.code).toBe(EXIT_CODES.INVALID_INPUT);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/^note: No credential.*\nerror: INVALID_INPUT: .+ \(request piped-1\)\n {2}- message: /);
    expect(json.code).toBe(EXIT_CODES.INVALID_INPUT);
    const [note, problem] = json.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(note).toEqual({ notice: expect.stringMatching(/^No credential/) });
    expect(problem).toMatchObject({ code: 'INVALID_INPUT', requestId: 'piped-2', errors: [expect.objectContaining({ path: 'message' })] });
  });

  it('sends X-Request-ID, the bearer token and X-Tenant-ID', async () => {
    const result = await run(['--url', server.url, '--token', 't0k', '--tenant', 'acme', '--request-id', 'remote-1', 'run', 'echo', '--message', 'hi']);
    expect(result.code).toBe(0);
    expect(headersSeen.at(-1)).toMatchObject({ 'x-request-id': 'remote-1', authorization: 'Bearer t0k', 'x-tenant-id': 'acme' });
  });

  it("prints the server's request id with an error", async () => {
    const result = await run(['--url', server.url, '--request-id', 'remote-2', 'run', 'echo']);
    expect(result.code).toBe(EXIT_CODES.INVALID_INPUT);
    expect(result.stderr).toMatch(/^note: No credential.*\nerror: INVALID_INPUT: .+ \(request remote-2\)\n {2}- message: /);
  });

  it('reports an unreachable server with exit 69', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = urlOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const result = await run(['--url', url, 'list']);
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/^note: No credential/);
    expect(result.stderr.split('\n')[1]).toBe(`error: UNAVAILABLE: Cannot reach the server at ${url} (ECONNREFUSED).`);
  });

  it('honours --timeout with exit 75', async () => {
    // The server never answers: only the 300 ms timeout can end the call with 75.
    const result = await run(['--url', urlOf(silent), '--timeout', '0.3', 'run', 'echo', '--message', 'x']);
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/TIMEOUT: No answer from .+ within 300 ms/);
  });

  it('says clearly when the server fails without problem details', async () => {
    const result = await run(['--url', urlOf(broken), 'run', 'echo', '--message', 'x']);
    expect(result.code).toBe(70);
    expect(result.stderr).toContain('error: INTERNAL: The server answered HTTP 500 without problem details.');
  });

  it('reads NEXUS_URL and refuses a URL that is not http(s)', async () => {
    const { io, out } = bufferedIo({ env: { NEXUS_URL: server.url } });
    expect(await createRemoteCli().run(['list'], io)).toBe(0);
    expect(JSON.parse(out.text)).toEqual([expect.objectContaining({ name: 'echo', kind: 'handler' })]);
    expect((await run(['--url', 'ftp://x', 'list'])).code).toBe(64);
  });
});
