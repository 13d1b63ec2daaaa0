import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { JobRecord } from '@nexus/core';
import { EXIT_CODES } from '../src/index.js';
import { serveApi } from './support/api-server.js';
import { createJobsApp } from './support/jobs-app.js';
import { NEXUS_BIN, runNode } from './support/spawn.js';

const { app, until, whenHeld, release } = createJobsApp();
/** The `Prefer` header of each status read (`GET /operations/{id}`) the server received, by job. */
const statusReads = new Map<string, (string | undefined)[]>();
let onStatusRead: (operationId: string) => void = () => {};
app.use('observe', (ctx, next) => {
  const job = ctx.annotations.job;
  if (job?.phase === 'lookup') {
    const prefer = ctx.transport.headers?.prefer;
    statusReads.set(job.operationId, [...(statusReads.get(job.operationId) ?? []), typeof prefer === 'string' ? prefer : undefined]);
    onStatusRead(job.operationId);
  }
  return next();
});
const server = serveApi(app);

/** The spawned `nexus` bin as `user:tenant`, against the server in this process. */
const nexus = (as: string, args: string[], options: Parameters<typeof runNode>[2] = {}) => runNode(NEXUS_BIN, ['--url', server.url, '--token', as, ...args], options);
const input = (value: unknown) => ['--input', JSON.stringify(value)];
const jobOf = async (tag: string): Promise<JobRecord> => {
  const jobs = await app.jobs.store.list({ principalId: 'ann', tenantId: 't1' }, 100);
  const found = jobs.find((job) => (job.input as { tag?: string }).tag === tag);
  if (!found) throw new Error(`no job tagged ${tag}`);
  return found.record;
};

describe('nexus run --async / --wait against a server', () => {
  it('--async prints the operation id and status without waiting; operations get shows the outcome', async () => {
    const submitted = await nexus('ann:t1', ['run', 'report', ...input({ tag: 'a1', hold: true }), '--async']);
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    const ack = JSON.parse(submitted.stdout) as { operationId: string; status: string };
    expect(ack).toEqual({ operationId: expect.any(String), status: 'queued' });
    await whenHeld('a1');
    release('a1');
    await until(ack.operationId, (record) => record.status === 'succeeded');
    const got = await nexus('ann:t1', ['operations', 'get', ack.operationId]);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ operationId: ack.operationId, operation: 'report', status: 'succeeded', result: { tag: 'a1' } });
  });

  it('waits for a long-running operation by default and prints only its result when stderr is not a terminal', async () => {
    const result = await nexus('ann:t1', ['run', 'report', ...input({ tag: 'w1' })]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ tag: 'w1' });
  });

  it('--wait runs any operation as a job and prints its result; --async returns its id', async () => {
    const waited = await nexus('ann:t1', ['run', 'echo', '--param', 'message=hi', '--wait']);
    expect(waited).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(waited.stdout)).toEqual({ message: 'hi' });
    const listed = await nexus('ann:t1', ['operations', 'list']);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as JobRecord[]).some((job) => job.operation === 'echo' && job.status === 'succeeded')).toBe(true);
    const submitted = await nexus('ann:t1', ['run', 'echo', '--param', 'message=later', '--async']);
    expect(JSON.parse(submitted.stdout)).toEqual({ operationId: expect.any(String), status: 'queued' });
  });

  it('--async with --idempotency-key submits once: the retry prints the same operation id', async () => {
    const args = ['run', 'report', ...input({ tag: 'k1' }), '--async', '--idempotency-key', 'submit-k1'];
    const first = JSON.parse((await nexus('ann:t1', args)).stdout) as { operationId: string };
    const retry = await nexus('ann:t1', [...args, '--verbose', '--output', 'json']);
    expect(retry.code).toBe(0);
    expect(JSON.parse(retry.stdout)).toEqual({ operationId: first.operationId, status: expect.any(String) });
    expect(retry.stderr).toContain('"replayed":true');
  });

  it('waits with one status read that the server holds (Prefer: wait) when stderr is not a terminal', async () => {
    // The job ends when its first status read asks the server to hold it, or at the third read
    // (a client that polls): however long that takes, a held read is all it needs.
    let released = false;
    onStatusRead = (operationId) => {
      const reads = statusReads.get(operationId)!;
      if (released || !(/wait=\d+/.test(reads.at(-1) ?? '') || reads.length >= 3)) return;
      released = true;
      void whenHeld('n1').then(() => release('n1'));
    };
    const result = await nexus('ann:t1', ['run', 'report', ...input({ tag: 'n1', hold: true })]);
    onStatusRead = () => {};
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ tag: 'n1' });
    expect(statusReads.get((await jobOf('n1')).operationId)).toEqual([expect.stringMatching(/^wait=\d+$/)]);
  });

  it('refuses --async together with --wait as a usage error', async () => {
    const result = await nexus('ann:t1', ['run', 'report', ...input({ tag: 'x' }), '--async', '--wait']);
    expect(result.code).toBe(EXIT_CODES.INVALID_INPUT);
    expect(result.stderr).toMatch(/--async.*--wait/);
    expect(result.stdout).toBe('');
  });

  it('renders a failed job as its problem with the detail hidden', async () => {
    const result = await nexus('ann:t1', ['run', 'report', ...input({ tag: 'f1', fail: true })]);
    expect(result.code).toBe(EXIT_CODES.INTERNAL);
    expect(result.stderr).toMatch(/^error: INTERNAL: /);
    expect(result.stderr).not.toContain('secret');
    expect(result.stdout).toBe('');
  });

  it('on Ctrl-C stops waiting, says the job goes on and how to cancel it, and exits 130', async () => {
    const controller = new AbortController();
    const waiting = nexus('ann:t1', ['run', 'report', ...input({ tag: 'c1', hold: true }), '--verbose'], { signal: controller.signal });
    await whenHeld('c1');
    controller.abort();
    const result = await waiting;
    const job = await jobOf('c1');
    expect(result.code).toBe(130);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`operation ${job.operationId} keeps running`);
    expect(result.stderr).toContain(`nexus operations cancel ${job.operationId}`);
    expect((await app.jobs.store.get(job.operationId))?.record.status).toBe('running');
    release('c1');
  });
});

describe('nexus operations get|cancel|list against a server', () => {
  it('shows a job to its submitter only: another principal and the same principal in another tenant get exit 66', async () => {
    const submitted = await nexus('ann:t1', ['run', 'report', ...input({ tag: 'v1', hold: true }), '--async']);
    const { operationId } = JSON.parse(submitted.stdout) as { operationId: string };
    await whenHeld('v1');
    for (const stranger of ['bob:t1', 'ann:t2']) {
      for (const command of ['get', 'cancel']) {
        const refused = await nexus(stranger, ['operations', command, operationId]);
        expect({ stranger, command, code: refused.code, stdout: refused.stdout }).toEqual({ stranger, command, code: EXIT_CODES.NOT_FOUND, stdout: '' });
        expect(refused.stderr).toMatch(/^error: NOT_FOUND: /);
      }
      const listed = await nexus(stranger, ['operations', 'list']);
      expect((JSON.parse(listed.stdout) as JobRecord[]).map((job) => job.operationId)).not.toContain(operationId);
    }
    expect((await app.jobs.store.get(operationId))?.record.status).toBe('running');
    const own = await nexus('ann:t1', ['operations', 'list']);
    expect((JSON.parse(own.stdout) as JobRecord[]).map((job) => job.operationId)).toContain(operationId);

    const cancelled = await nexus('ann:t1', ['operations', 'cancel', operationId]);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ operationId, status: 'cancelled' });
    const again = await nexus('ann:t1', ['operations', 'cancel', operationId]);
    expect(again.code).toBe(EXIT_CODES.CONFLICT);
    expect(again.stderr).toMatch(/^error: CONFLICT: /);
  });

  it('answers an unknown id with exit 66, and JSON problems with --output json', async () => {
    const result = await nexus('ann:t1', ['--output', 'json', 'operations', 'get', 'no-such-id']);
    expect(result.code).toBe(EXIT_CODES.NOT_FOUND);
    expect(JSON.parse(result.stderr)).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });
});

const hasScript = await new Promise<boolean>((resolve) => spawn('script', ['--version'], { stdio: 'ignore' }).on('error', () => resolve(false)).on('exit', (code) => resolve(code === 0)));

(hasScript ? describe : describe.skip)('the progress bar on a terminal (a pseudo-terminal from script(1))', () => {
  it('draws the job progress on stderr and leaves stdout to the result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-cli-tty-'));
    const out = join(dir, 'stdout.json');
    const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, NEXUS_BIN, '--url', server.url, '--token', 'ann:t1', 'run', 'report', '--input', JSON.stringify({ tag: 'p1', hold: true })].map(quote).join(' ');
    const env = { ...process.env, NODE_OPTIONS: '', NEXUS_URL: '', NEXUS_TOKEN: '', TERM: 'xterm', COLUMNS: '100' };
    const child = spawn('script', ['-qfec', `${command} > ${quote(out)}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let terminal = '';
    const drawn = new Promise<void>((resolve) => child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      terminal += chunk;
      if (terminal.includes('1/4')) resolve();
    }));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await whenHeld('p1');
    await drawn;
    release('p1');
    expect(await exited).toBe(0);
    expect(terminal).toContain('counting');
    expect(readFileSync(out, 'utf8')).toBe('{"tag":"p1"}\n');
    // The server answers a held read early only when the job ends: the bar asks every second.
    expect(new Set(statusReads.get((await jobOf('p1')).operationId))).toEqual(new Set(['wait=1']));
  });
});
