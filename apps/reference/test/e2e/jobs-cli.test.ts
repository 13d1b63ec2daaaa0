import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CLI_JS, NEXUS_JS, cleanEnv, killAll, mapLimit, runNode, startApp } from '../support/processes.js';
import type { AppProcess, Completed } from '../support/processes.js';
import { redisAvailable } from '../support/redis.js';
import { mint, newSecret } from '../support/tokens.js';
import { underCI } from '../support/ci.js';
import { jobDeployment } from '../support/worker-processes.js';

const available = await redisAvailable();
const describeWithRedis = available || underCI() ? describe : describe.skip;
const secret = newSecret();
const deployment = jobDeployment('e2e-jobs-cli', secret);
// Limits high enough that 100 CLI processes in a row are never throttled: this test counts jobs, not limits.
const env = (name: string) => ({ ...deployment.env(name), NEXUS_RATE_LIMIT_RPM: '100000', NEXUS_RATE_LIMIT_BURST: '1000' });
const runs = (name: string): string[] => deployment.completions(name).map((record) => record.operationId);

// Names of this run's own, so no other test's rate-limit or idempotency keys are shared.
const run = randomUUID().slice(0, 8);
const owner = mint(secret, `cli-owner-${run}`, ['executive'], 'acme');
const strangers = {
  'another principal': mint(secret, `cli-stranger-${run}`, ['executive'], 'acme'),
  'the same principal in another tenant': mint(secret, `cli-owner-${run}`, ['executive'], 'globex'),
};

describeWithRedis('the CLI with one API instance and two --worker processes on one Redis', () => {
  let api: AppProcess;
  let workers: Array<Awaited<ReturnType<typeof deployment.startWorker>>>;

  beforeAll(async () => {
    expect(available).toBe(true);
    [api, ...workers] = await Promise.all([startApp({ ...env('api'), NEXUS_JOBS_WORKER: '0' }), deployment.startWorker('w1'), deployment.startWorker('w2')]) as [AppProcess, ...Array<Awaited<ReturnType<typeof deployment.startWorker>>>];
  }, 30_000);
  afterAll(async () => {
    for (const worker of workers ?? []) worker.kill('SIGTERM');
    await api?.stop();
    await killAll();
    deployment.removeAudit(['api', 'w1', 'w2', 'cli']);
  });

  /** The remote `nexus` bin against the API instance. */
  const nexus = (token: string, args: string[]): Promise<Completed> => runNode(NEXUS_JS, ['--url', api.api, '--token', token, ...args], { env: cleanEnv(), timeoutMs: 60_000 });
  /** The reference app's own bin: in-process, its jobs go to the same queue (it works none itself). */
  const inProcess = (token: string, args: string[]): Promise<Completed> => runNode(CLI_JS, ['--token', token, ...args], { env: cleanEnv(env('cli')), timeoutMs: 60_000 });
  const report = (days: number, delayMs: number) => ['run', 'tenant_report', '--param', `days=${days}`, '--param', `delay_ms=${delayMs}`];
  const idOf = (submitted: Completed): string => {
    expect({ code: submitted.code, stderr: submitted.stderr }).toEqual({ code: 0, stderr: '' });
    const ack = JSON.parse(submitted.stdout) as { operationId: string; status: string };
    expect(ack.status).toBe('queued');
    return ack.operationId;
  };

  it('completes 50 jobs submitted with run --async exactly once each; operations get shows each result', async () => {
    // 40 through the server, 10 queued by the in-process bin straight into Redis.
    const ids = await mapLimit(Array.from({ length: 50 }, (_, i) => i), 4, async (i) =>
      idOf(await (i % 5 === 4 ? inProcess : nexus)(owner, [...report(i + 1, 20), '--async'])));
    expect(new Set(ids).size).toBe(50);
    // operations get, over and over through the CLI, until each job has ended.
    const records = await mapLimit(ids, 4, async (id, i) => {
      for (;;) {
        const got = await (i % 5 === 4 ? inProcess : nexus)(owner, ['operations', 'get', id]);
        expect(got.code).toBe(0);
        const record = JSON.parse(got.stdout) as { status: string; result?: { tenant_id: string; days: number } };
        if (['succeeded', 'failed', 'cancelled'].includes(record.status)) return record;
      }
    });
    expect(records.map((record) => record.status)).toEqual(ids.map(() => 'succeeded'));
    expect(records.map((record) => record.result?.days)).toEqual(ids.map((_, i) => i + 1));
    expect(records.every((record) => record.result?.tenant_id === 'acme')).toBe(true);
    // Completion records are written after the status: wait for all 50 (asynchronous audit writes).
    const { w1, w2 } = await deployment.completionsOf(['w1', 'w2'], ids, 50);
    const completed = [...w1!, ...w2!];
    expect(completed).toHaveLength(50);
    expect(new Set(completed).size).toBe(50);
    expect([...runs('api'), ...runs('cli')]).toEqual([]);
    const listed = await nexus(owner, ['operations', 'list']);
    expect((JSON.parse(listed.stdout) as Array<{ operationId: string }>).map((job) => job.operationId)).toEqual(expect.arrayContaining(ids));
  }, 240_000);

  it('waits for a job a worker runs: remotely and in-process, printing only the result', async () => {
    for (const cli of [nexus, inProcess]) {
      const waited = await cli(owner, report(7, 200));
      expect(waited.code).toBe(0);
      expect(JSON.parse(waited.stdout)).toMatchObject({ tenant_id: 'acme', days: 7, records: 168 });
    }
  }, 120_000);

  it('leaves a job running on Ctrl-C of the in-process bin waiting for it, and says how to cancel it', async () => {
    const child = spawn(process.execPath, [CLI_JS, '--token', owner, ...report(11, 60_000)], { env: cleanEnv(env('cli')), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Submitted once the job shows in the owner's list; Ctrl-C then stops only the waiting.
    let id: string | undefined;
    while (id === undefined) {
      const jobs = JSON.parse((await nexus(owner, ['operations', 'list'])).stdout) as Array<{ operationId: string; status: string; operation: string }>;
      id = jobs.find((job) => job.status === 'running' && job.operation === 'tenant_report')?.operationId;
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toBe('');
    expect(stderr).toContain(`operation ${id} keeps running`);
    expect(stderr).toContain(`operations cancel ${id}`);
    expect(JSON.parse((await nexus(owner, ['operations', 'get', id])).stdout)).toMatchObject({ status: 'running' });
    expect((await nexus(owner, ['operations', 'cancel', id])).code).toBe(0);
  }, 120_000);

  it('hides a job from another principal and from the same principal in another tenant, on both CLIs', async () => {
    const id = idOf(await nexus(owner, [...report(30, 60_000), '--async']));
    for (;;) {
      const record = JSON.parse((await nexus(owner, ['operations', 'get', id])).stdout) as { status: string };
      if (record.status === 'running') break;
    }
    for (const [who, token] of Object.entries(strangers)) {
      for (const cli of [nexus, inProcess]) {
        for (const command of ['get', 'cancel']) {
          const refused = await cli(token, ['--output', 'json', 'operations', command, id]);
          expect({ who, command, code: refused.code, stdout: refused.stdout }).toEqual({ who, command, code: 66, stdout: '' });
          expect(refused.stderr).toContain('"code":"NOT_FOUND"');
        }
        const listed = await cli(token, ['operations', 'list']);
        expect(listed.code).toBe(0);
        expect((JSON.parse(listed.stdout) as Array<{ operationId: string }>).map((job) => job.operationId)).not.toContain(id);
      }
    }
    const cancelled = await inProcess(owner, ['operations', 'cancel', id]);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ operationId: id, status: 'cancelled' });
    const again = await nexus(owner, ['operations', 'cancel', id]);
    expect(again.code).toBe(65);
    expect(again.stderr).toMatch(/^error: CONFLICT: /);
  }, 120_000);
});
