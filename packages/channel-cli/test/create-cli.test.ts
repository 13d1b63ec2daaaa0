import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Nexus, UnauthenticatedError, silentLogger } from '@nexus/core';
import type { Credential, NexusContext } from '@nexus/core';
import { z } from 'zod';
import { EXIT_CODES, createCli } from '../src/index.js';
import { bufferedIo } from './support/io.js';

const seen: NexusContext[] = [];
function buildApp() {
  const app = new Nexus({ logger: silentLogger });
  // A token check in the app's own authenticate phase: the CLI has no say in it.
  app.use('authenticate', async (ctx, next) => {
    const credential: Credential = ctx.credential;
    if (ctx.definition?.public) return next();
    if (credential.kind !== 'bearer' || credential.token !== 'good-token') throw new UnauthenticatedError();
    return next({ principal: { id: 'u1', roles: [], permissions: [], claims: {} } });
  });
  app.handler(
    'profile_set',
    {
      description: 'Stores a profile.',
      input: z.strictObject({
        user_id: z.string().describe('Whose profile'),
        age: z.number().int().optional(),
        active: z.boolean().optional(),
        profile: z.object({ email: z.string(), tags: z.array(z.string()).optional() }).optional(),
      }),
    },
    (input, ctx) => {
      seen.push(ctx);
      return input;
    },
  );
  app.handler('ping', { description: 'Open to all.', input: z.object({}), public: true }, () => ({ pong: true }));
  return app;
}
const cli = createCli(buildApp(), { scriptName: 'my-app', version: '1.2.3' });
const run = async (argv: string[], options: Parameters<typeof bufferedIo>[0] = {}) => {
  const { io, out, err } = bufferedIo({ env: { NEXUS_TOKEN: 'good-token' }, tty: true, ...options });
  const code = await cli.run(argv, io);
  return { code, stdout: out.text, stderr: err.text };
};

describe('createCli: in-process commands through the app pipeline', () => {
  it('builds input from --input, dotted --param values (JSON-decoded, else strings) and schema options', async () => {
    const result = await run(['run', 'profile_set', '--input', '{"age": 3}', '--param', 'profile.email=a@b.c', '--param', 'profile.tags=["x"]', '--user_id', '007', '--active']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ user_id: '007', age: 3, active: true, profile: { email: 'a@b.c', tags: ['x'] } });
    expect(result.stderr).toBe('');
  });

  it('passes the token, tenant, request id and channel name into the context', async () => {
    const result = await run(['--tenant', 'acme', '--request-id', 'cli-req-1', 'run', 'profile_set', '--param', 'user_id=u']);
    expect(result.code).toBe(0);
    const ctx = seen[seen.length - 1]!;
    expect(ctx.channel).toBe('cli');
    expect(ctx.requestId).toBe('cli-req-1');
    expect(ctx.transport.requestedTenant).toBe('acme');
    expect(ctx.credential).toEqual({ kind: 'bearer', token: 'good-token' });
  });

  it('treats a missing token as unauthenticated (exit 77): no local-user shortcut', async () => {
    const result = await run(['run', 'profile_set', '--param', 'user_id=u'], { env: {} });
    expect(result.code).toBe(77);
    expect(result.stderr).toMatch(/^note: No credential: pass --token or set NEXUS_TOKEN\..*\nerror: UNAUTHENTICATED: .+ \(request [\w-]+\)\n$/);
    expect((await run(['run', 'ping'], { env: {} })).code).toBe(0);
  });

  it('reads --input from a file and from standard input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-cli-'));
    writeFileSync(join(dir, 'in.json'), '{"user_id": "from-file"}');
    expect(JSON.parse((await run(['run', 'profile_set', '--input', `@${join(dir, 'in.json')}`])).stdout)).toEqual({ user_id: 'from-file' });
    expect(JSON.parse((await run(['run', 'profile_set', '--input', '-'], { stdin: '{"user_id": "from-stdin"}' })).stdout)).toEqual({ user_id: 'from-stdin' });
  });

  it.each([
    [['lst'], 64, /Unknown command "lst". Did you mean list\?/],
    [['list', '--tokn', 'x'], 64, /Unknown option: --tokn \(did you mean --token\?\)/],
    [['list', 'extra'], 64, /Unexpected argument "extra": list takes none\./],
    [['run', 'profile_set', 'user_id=u'], 64, /Unexpected argument "user_id=u": run takes one <name> \(input goes in --param key=value/],
    [['describe', 'profile_set', 'x', '--tokn', 'y'], 64, /Unknown options?: /],
    [['run', 'profile_set', '--input', '{"user_id": 1,\n}'], 64, /--input is not valid JSON: Expected double-quoted property name at line 2, column 1\n {2}}\n {2}\^/],
    [['run', 'profile_set', '--input', '@/no/such/file.json'], 66, /Input file "\/no\/such\/file.json" does not exist/],
    [['run', 'profile_set', '--param', 'user_id'], 64, /--param "user_id" needs the form key=value/],
    [['run', 'no_such_op'], 66, /NOT_FOUND: Unknown operation "no_such_op"/],
    [['run', 'profile_set', '--param', 'user_id=u', '--param', 'extra=1'], 64, /INVALID_INPUT: .+\n {2}- \(input\): Unrecognized key: "extra"/],
    [['--request-id', 'bad id!', 'list'], 64, /--request-id must be/],
    [['--timeout', '-1', 'list'], 64, /--timeout must be a positive number/],
  ])('rejects %j with exit %i and a clear message', async (argv, code, message) => {
    const result = await run(argv);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('renders errors as the problem object with --output json', async () => {
    const result = await run(['--output', 'json', 'run', 'profile_set', '--param', 'age="x"']);
    expect(result.code).toBe(EXIT_CODES.INVALID_INPUT);
    const problem = JSON.parse(result.stderr) as { code: string; errors: { path: string }[]; requestId: string };
    expect(problem.code).toBe('INVALID_INPUT');
    expect(problem.errors.map((error) => error.path)).toEqual(expect.arrayContaining(['user_id', 'age']));
    expect(problem.requestId).toBeTruthy();
  });

  it('prints errors as text when stdout is piped, unless --output json is given', async () => {
    const piped = await run(['run', 'profile_set', '--param', 'age="x"'], { tty: false });
    expect(piped.code).toBe(EXIT_CODES.INVALID_INPUT);
    expect(piped.stderr).toMatch(/^error: INVALID_INPUT: .+ \(request [\w-]+\)\n {2}- /);
    expect(piped.stderr).toContain('\n  - user_id: ');
    expect(piped.stdout).toBe('');
    const pretty = await run(['--output', 'pretty', 'run', 'no_such_op'], { tty: false });
    expect(pretty.stderr).toMatch(/^error: NOT_FOUND: Unknown operation "no_such_op"/);
    const json = await run(['run', 'no_such_op', '--output=json'], { tty: false });
    expect(JSON.parse(json.stderr)).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    const usage = await run(['lst'], { tty: false });
    expect(usage.stderr).toMatch(/^error: Unknown command "lst"/);
  });

  it('prints --verbose facts as text when piped, keeping the result JSON on stdout', async () => {
    const piped = await run(['--verbose', 'run', 'ping'], { tty: false });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe('{"pong":true}\n');
    expect(piped.stderr).toMatch(/^running ping\nrequest [\w-]+, [\d.]+ ms\n$/);
    const json = await run(['--verbose', '--output', 'json', 'run', 'ping'], { tty: false });
    expect(json.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      { operation: 'ping' },
      expect.objectContaining({ requestId: expect.any(String), durationMs: expect.any(Number) }),
    ]);
  });

  it('pretty-prints on a terminal unless --output json', async () => {
    expect((await run(['run', 'ping'], { tty: true })).stdout).toBe('{\n  "pong": true\n}\n');
    expect((await run(['--output', 'json', 'run', 'ping'], { tty: true })).stdout).toBe('{"pong":true}\n');
  });

  it('lists, describes and reports health', async () => {
    const listed = JSON.parse((await run(['list'])).stdout) as { name: string }[];
    expect(listed.map((operation) => operation.name)).toEqual(['profile_set', 'ping']);
    const described = JSON.parse((await run(['describe', 'profile_set'])).stdout) as { inputSchema: { required: string[] } };
    expect(described.inputSchema.required).toEqual(['user_id']);
    expect((await run(['list'], { env: {} })).code).toBe(77);
    expect(JSON.parse((await run(['health'])).stdout)).toMatchObject({ status: 'healthy' });
  });

  it('shows schema fields with types in run --help, and the runnable operations in --help', async () => {
    const help = await run(['run', 'profile_set', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--user_id\s+Whose profile \[string, required\]/);
    expect(help.stdout).toMatch(/--age\s+\[integer\]/);
    const top = await run(['run', '--help']);
    expect(top.stdout).toMatch(/Operations you may run:\n {2}profile_set {2}Stores a profile\.\n {2}ping +Open to all\./);
    const anonymous = await run(['--help'], { env: {} });
    expect(anonymous.stdout).not.toContain('Operations you may run');
    expect((await run(['--version'])).stdout).toBe('1.2.3\n');
  });

  it('cancels the running operation when the signal aborts (exit 130)', async () => {
    const app = new Nexus({ logger: silentLogger });
    let sawAbort = false;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    app.handler('wait', { description: 'Waits.', input: z.object({}) }, (_input, ctx) => new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => {
        sawAbort = true;
        reject(ctx.signal.reason);
      });
      started();
    }));
    const controller = new AbortController();
    const { io, err } = bufferedIo({ signal: controller.signal, tty: true });
    // Abort once the handler runs, so it is the handler's signal that must see it.
    void running.then(() => controller.abort());
    expect(await createCli(app).run(['run', 'wait'], io)).toBe(130);
    expect(sawAbort).toBe(true);
    expect(err.text).toMatch(/^error: CANCELLED:/);
  });

  it('completes commands and the operations the caller may run', async () => {
    expect((await run(['--get-yargs-completions', 'my-app', 'r'])).stdout).toBe('run\n');
    expect((await run(['--get-yargs-completions', 'my-app', 'run', 'p'])).stdout).toBe('profile_set\nping\n');
    expect((await run(['completion'])).stdout).toContain('complete -o bashdefault -o default -F _my-app_yargs_completions my-app');
  });
});
