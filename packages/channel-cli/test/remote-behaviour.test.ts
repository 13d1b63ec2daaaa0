import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ForbiddenError, Nexus, UnauthenticatedError, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { createRemoteCli } from '../src/index.js';
import { EXIT_CODES } from '../src/exit-codes.js';
import { serveApi } from './support/api-server.js';
import { bufferedIo } from './support/io.js';
import { NEXUS_BIN, runNode } from './support/spawn.js';

/** Like @nexus/auth: anonymous catalogues pass (public operations only), anonymous calls do not. */
const app = new Nexus({ logger: silentLogger });
app.use('authenticate', async (ctx, next) => {
  if (ctx.credential.kind !== 'bearer') {
    if (ctx.purpose === 'list' || ctx.definition?.public) return next();
    throw new UnauthenticatedError();
  }
  if (ctx.credential.token === 'bad') throw new UnauthenticatedError();
  return next({ principal: { id: ctx.credential.token, roles: [], permissions: [], claims: {} } });
});
app.authorize((ctx) => {
  if (ctx.principal?.id !== 'admin') throw new ForbiddenError();
});
const received: unknown[] = [];
app.handler('echo', { description: 'Echo.', input: z.object({ message: z.string(), count: z.number().optional(), note: z.string().optional() }) }, (input) => {
  received.push(input);
  return input;
});
app.handler('ping', { description: 'Open.', input: z.object({}), public: true }, () => ({ pong: true }));

const server = serveApi(app);

// Accepts connections and never answers a byte.
const sockets = new Set<Socket>();
const hung = createServer(() => {});
hung.on('connection', (socket) => sockets.add(socket));
let hungUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
});
afterAll(() => {
  for (const socket of sockets) socket.destroy();
  hung.close();
});

const run = async (argv: string[], env: Record<string, string> = {}) => {
  const { io, out, err } = bufferedIo({ tty: true, env });
  const code = await createRemoteCli().run(argv, io);
  return { code, stdout: out.text, stderr: err.text };
};

describe('deadlines on every network call', () => {
  it('--help against a server that never answers returns after NEXUS_TIMEOUT with exit 69, help still printed', async () => {
    const result = await run(['--url', hungUrl, '--help'], { NEXUS_TIMEOUT: '0.3' });
    expect(result.code).toBe(EXIT_CODES.UNAVAILABLE);
    expect(result.stdout).toContain('Commands:');
    expect(result.stderr).toMatch(/TIMEOUT: No answer from .+ within 300 ms/);
  });

  it('run <op> --help (which describes the operation) is bounded too', async () => {
    const result = await run(['--url', hungUrl, '--timeout', '0.3', 'run', 'echo', '--help']);
    expect(result.code).toBe(EXIT_CODES.UNAVAILABLE);
    expect(result.stdout).toContain('Run an operation');
  });

  it('completion of operation names is bounded and answers nothing rather than hang', async () => {
    // As the shell script calls it: the flag first, the server from the environment.
    const result = await run(['--get-yargs-completions', 'nexus', 'run', 'e'], { NEXUS_URL: hungUrl, NEXUS_TIMEOUT: '0.3' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
  });

  it('the real bin exits 69 on --help against the silent server', async () => {
    const exited = await runNode(NEXUS_BIN, ['--url', hungUrl, '--help'], { env: { NEXUS_TIMEOUT: '0.5' }, timeoutMs: 20_000 });
    expect(exited.code).toBe(69);
    expect(exited.stdout).toContain('Commands:');
  });

  it('defaults to 30 s and documents --timeout and NEXUS_TIMEOUT in help', async () => {
    const result = await run(['--url', server.url, '--help']);
    expect(result.stdout).toMatch(/--timeout\s+.*NEXUS_TIMEOUT.*default 30/s);
    expect((await run(['--url', server.url, 'list'], { NEXUS_TIMEOUT: 'soon' })).code).toBe(EXIT_CODES.INVALID_INPUT);
  });
});

describe('errors while describing are reported as themselves', () => {
  it.each([
    ['no token', [], 'UNAUTHENTICATED'],
    ['a refused token', ['--token', 'bad'], 'UNAUTHENTICATED'],
    ['a forbidden token', ['--token', 'someone'], 'FORBIDDEN'],
  ])('run echo --message hi with %s (args %j) says %s (exit 77), not NOT_FOUND', async (_label, token, code) => {
    const result = await run(['--url', server.url, ...token, 'run', 'echo', '--message', 'hi']);
    expect(result.code).toBe(77);
    expect(result.stderr).toContain(`error: ${code}:`);
  });

  it('an operation that does not exist is still NOT_FOUND (exit 66)', async () => {
    const result = await run(['--url', server.url, '--token', 'admin', 'run', 'nope', '--message', 'hi']);
    expect(result.code).toBe(EXIT_CODES.NOT_FOUND);
  });
});

describe('--param typed by the schema', () => {
  it('keeps a string field a string and decodes a number field', async () => {
    const result = await run(['--url', server.url, '--token', 'admin', 'run', 'echo', '--param', 'message=5', '--param', 'count=5', '--param', 'note=true']);
    expect(result.code).toBe(0);
    expect(received.at(-1)).toEqual({ message: '5', count: 5, note: 'true' });
  });

  it('matches --<field> for the same value', async () => {
    const result = await run(['--url', server.url, '--token', 'admin', 'run', 'echo', '--message', '5']);
    expect(result.code).toBe(0);
    expect(received.at(-1)).toEqual({ message: '5' });
  });
});

describe('completion scripts', () => {
  it.each([
    ['bash', /complete -o bashdefault -o default -F _nexus_yargs_completions nexus/],
    ['zsh', /compdef _nexus_yargs_completions nexus/],
  ])('completion %s prints a %s script', async (shell, pattern) => {
    const result = await run(['completion', shell]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(pattern);
    expect(result.stdout).toContain('--get-yargs-completions');
  });

  it('refuses a shell it has no script for', async () => {
    const result = await run(['completion', 'fish']);
    expect(result.code).toBe(EXIT_CODES.INVALID_INPUT);
    expect(result.stderr).toMatch(/bash.*zsh/);
  });
});

describe('no credential', () => {
  it('says so on stderr: list without a token shows what anonymous callers see, and why', async () => {
    const result = await run(['--url', server.url, 'list']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ name: 'ping' })]);
    expect(result.stderr).toMatch(/no credential.*--token.*NEXUS_TOKEN/i);
  });

  it('says nothing when a token is given', async () => {
    const result = await run(['--url', server.url, '--token', 'admin', 'list']);
    expect(result.stderr).toBe('');
  });
});
