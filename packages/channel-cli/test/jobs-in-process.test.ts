import { afterAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { JobRecord } from '@nexus/core';
import { EXIT_CODES, createCli } from '../src/index.js';
import type { CliIo } from '../src/index.js';
import { createJobsApp } from './support/jobs-app.js';
import { runNode } from './support/spawn.js';

const { app, whenHeld, release } = createJobsApp();
const cli = createCli(app, { scriptName: 'my-app' });
afterAll(() => app.stop());

const JOBS_BIN = fileURLToPath(new URL('./fixtures/jobs-cli.js', import.meta.url));

/** One command line in this process; `tty` makes stderr a terminal. */
function start(as: string, argv: string[], options: { tty?: boolean; signal?: AbortSignal } = {}) {
  const out = { text: '', isTTY: false, write(chunk: string) { out.text += chunk; return true; } };
  const err = { text: '', isTTY: options.tty ?? false, columns: 80, write(chunk: string) { err.text += chunk; return true; } };
  const io: CliIo = { stdout: out, stderr: err, stdin: Readable.from(['']), env: { NEXUS_TOKEN: as }, ...(options.signal ? { signal: options.signal } : {}) };
  const exited = cli.run(argv, io);
  return { out, err, exited };
}
const run = async (as: string, argv: string[]) => {
  const { out, err, exited } = start(as, argv);
  const code = await exited;
  return { code, stdout: out.text, stderr: err.text };
};
const input = (value: unknown) => ['--input', JSON.stringify(value)];
const submit = async (as: string, tag: string): Promise<string> => {
  const submitted = await app.dispatch({ purpose: 'submit', channel: 'test', operation: 'report', input: { tag, hold: true }, credential: { kind: 'bearer', token: as } });
  if (!submitted.ok) throw submitted.error;
  return (submitted.value as { operationId: string }).operationId;
};

describe('createCli: long-running operations run as jobs in the app\'s job store', () => {
  it('runs a long-running operation through the store and prints only its result', async () => {
    const result = await run('ann:t1', ['run', 'report', ...input({ tag: 'j1' })]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ tag: 'j1' });
    const listed = await run('ann:t1', ['operations', 'list']);
    expect((JSON.parse(listed.stdout) as JobRecord[]).find((job) => job.operation === 'report')).toMatchObject({ status: 'succeeded', result: { tag: 'j1' } });
  });

  it('waits for the same job when --wait is retried with the same --idempotency-key', async () => {
    const args = ['run', 'echo', '--param', 'message=once', '--wait', '--idempotency-key', 'wait-k1', '--verbose', '--output', 'json'];
    const first = await run('ann:t1', args);
    const retry = await run('ann:t1', args);
    expect([first.code, retry.code]).toEqual([0, 0]);
    expect(JSON.parse(retry.stdout)).toEqual({ message: 'once' });
    expect(retry.stderr).toContain('"replayed":true');
    const jobs = (JSON.parse((await run('ann:t1', ['operations', 'list'])).stdout) as JobRecord[]).filter((job) => job.operation === 'echo');
    expect(jobs).toHaveLength(1);
  });

  it('draws progress on a terminal stderr from the store\'s events and clears it before the result', async () => {
    const running = start('ann:t1', ['run', 'report', ...input({ tag: 'p1', hold: true })], { tty: true });
    await whenHeld('p1');
    while (!running.err.text.includes('1/4')) await new Promise((resolve) => setImmediate(resolve));
    expect(running.err.text).toContain('counting');
    release('p1');
    expect(await running.exited).toBe(0);
    expect(running.err.text.endsWith('\r\x1b[K')).toBe(true);
    expect(running.out.text).toBe('{"tag":"p1"}\n');
  });

  it('refuses --async while jobs live only in this process (they would end with the command), submitting nothing', async () => {
    const before = (await app.jobs.store.list({ principalId: 'ann', tenantId: 't1' }, 100)).length;
    const result = await run('ann:t1', ['run', 'report', ...input({ tag: 'a1' }), '--async']);
    expect(result.code).toBe(EXIT_CODES.UNAVAILABLE);
    expect(result.stderr).toMatch(/^error: UNAVAILABLE: .*--async/);
    expect((await app.jobs.store.list({ principalId: 'ann', tenantId: 't1' }, 100)).length).toBe(before);
  });

  it('cancels the job on Ctrl-C, since it cannot outlive this process: exit 130', async () => {
    const controller = new AbortController();
    const running = start('ann:t1', ['run', 'report', ...input({ tag: 'c1', hold: true })], { signal: controller.signal });
    await whenHeld('c1');
    controller.abort();
    expect(await running.exited).toBe(130);
    expect(running.err.text).toMatch(/^error: CANCELLED: /);
    const jobs = await app.jobs.store.list({ principalId: 'ann', tenantId: 't1' }, 100);
    expect(jobs.find((job) => (job.input as { tag: string }).tag === 'c1')?.record.status).toBe('cancelled');
  });
});

describe('createCli: operations get|cancel|list', () => {
  it('shows and lists a job only to its submitter in its tenant and that tenant\'s admin; cancel of a finished job is a conflict', async () => {
    const operationId = await submit('ann:t1', 'v1');
    await whenHeld('v1');
    for (const stranger of ['bob:t1', 'ann:t2']) {
      for (const command of ['get', 'cancel']) {
        const refused = await run(stranger, ['operations', command, operationId]);
        expect({ stranger, command, code: refused.code, stdout: refused.stdout }).toEqual({ stranger, command, code: EXIT_CODES.NOT_FOUND, stdout: '' });
      }
      expect((JSON.parse((await run(stranger, ['operations', 'list'])).stdout) as JobRecord[]).map((job) => job.operationId)).not.toContain(operationId);
    }
    const got = await run('ann:t1', ['operations', 'get', operationId]);
    expect(JSON.parse(got.stdout)).toMatchObject({ operationId, status: 'running', progress: { current: 1, total: 4 } });
    // The tenant's admin gets it and lists it; another tenant's admin does neither.
    const listedBy = async (as: string) => (JSON.parse((await run(as, ['operations', 'list'])).stdout) as JobRecord[]).map((job) => job.operationId);
    expect((await run('root:t1', ['operations', 'get', operationId])).code).toBe(0);
    expect(await listedBy('root:t1')).toContain(operationId);
    expect((await run('root:t2', ['operations', 'get', operationId])).code).toBe(EXIT_CODES.NOT_FOUND);
    expect(await listedBy('root:t2')).not.toContain(operationId);
    const cancelled = await run('ann:t1', ['operations', 'cancel', operationId]);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ operationId, status: 'cancelled' });
    const again = await run('ann:t1', ['operations', 'cancel', operationId]);
    expect(again.code).toBe(EXIT_CODES.CONFLICT);
    expect((await run('ann:t1', ['operations', 'get', 'no-such-id'])).code).toBe(EXIT_CODES.NOT_FOUND);
  });
});

describe('an app\'s own bin (spawned), stderr not a terminal', () => {
  it('waits for a long-running operation and writes nothing but the result', async () => {
    const result = await runNode(JOBS_BIN, ['run', 'report', '--param', 'steps=3']);
    expect(result).toEqual({ code: 0, stdout: '{"steps":3}\n', stderr: '' });
  });

  it('refuses --async with exit 69', async () => {
    const result = await runNode(JOBS_BIN, ['run', 'report', '--param', 'steps=3', '--async']);
    expect(result.code).toBe(EXIT_CODES.UNAVAILABLE);
    expect(result.stdout).toBe('');
  });
});

describe('createCli: operations usage errors', () => {
  it.each([
    [['operations'], /^error: Name an action: get <id>, cancel <id> or list\./],
    [['operations', 'gte', 'x'], /^error: Unknown command "gte"\. Did you mean get\?/],
    [['operations', 'cancel'], /^error: Name the operation id: operations cancel <id>\./],
    [['operations', 'get', 'a', 'b'], /^error: Unexpected argument "b": operations get takes one <id>\./],
    [['operations', 'cancel', 'a', 'b', 'c'], /^error: Unexpected arguments "b", "c": operations cancel takes one <id>\./],
    [['operations', 'list', 'x'], /^error: Unexpected argument "x": operations list takes none\./],
    [['operations', 'get', 'a', '--b'], /^error: Unknown option: --b/],
  ])('%j exits 64: %s', async (argv, message) => {
    const result = await run('ann:t1', argv);
    expect(result.code).toBe(EXIT_CODES.INVALID_INPUT);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
