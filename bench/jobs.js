// The jobs row: jobs per second end to end through the full enterprise stack (the reference
// app's API takes `POST /workflows/tenant_report/execute` with Prefer: respond-async, one
// `--worker` process runs the job, the caller reads `GET /operations/{id}` with Prefer: wait until
// it ended) against bare BullMQ (`Queue.add` + a Worker process running the same handler body,
// completion from QueueEvents). Same Redis, same worker concurrency, interleaved rounds (A/B/B/A).
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { cpuMicros, freePort, median, startServer, waitForHttp } from './harness.js';
import { signHs256 } from './tokens.js';

const REFERENCE_MAIN = new URL('../apps/reference/dist/main.js', import.meta.url).pathname;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const connectionOf = (url) => {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379) };
};

/** Resolves once the child logged `text` on stderr. */
const logged = (text) => (child) => new Promise((resolve) => {
  let seen = '';
  child.stderr.on('data', function onData(chunk) {
    seen += chunk;
    if (!seen.includes(text)) return;
    child.stderr.off('data', onData);
    resolve();
  });
});

async function startEnterprise({ secret, concurrency }) {
  const queue = `bench-jobs-${process.pid}-${randomUUID().slice(0, 6)}`;
  const audit = (name) => join(tmpdir(), `nexus-bench-jobs-${name}-${process.pid}.log`);
  const common = {
    REDIS_URL: redisUrl(),
    NEXUS_JOBS_QUEUE: queue,
    NEXUS_JWT_SECRET: secret,
    NEXUS_JOB_TTL: '600',
    NEXUS_RATE_LIMIT_RPM: '10000000',
    NEXUS_REDIS_COMMAND_TIMEOUT_MS: '5000',
    NEXUS_DRAIN_DELAY_MS: '0',
  };
  const apiPort = String(await freePort());
  const api = await startServer({
    script: REFERENCE_MAIN,
    env: { ...common, NEXUS_HOST: '127.0.0.1', NEXUS_API_PORT: apiPort, NEXUS_MCP_PORT: String(await freePort()), NEXUS_JOBS_WORKER: '0', NEXUS_AUDIT_FILE: audit('api') },
    ready: () => waitForHttp(`http://127.0.0.1:${apiPort}/health/ready`),
  });
  const worker = await startServer({ script: REFERENCE_MAIN, args: ['--worker'], env: { ...common, NEXUS_WORKER_CONCURRENCY: String(concurrency), NEXUS_AUDIT_FILE: audit('worker') }, ready: logged('"working jobs"') });
  const base = `http://127.0.0.1:${apiPort}`;
  const headers = { 'content-type': 'application/json', prefer: 'respond-async', authorization: `Bearer ${signHs256(secret, '2h', ['executive'])}` };
  // One read per job: the status route answers once the job ended (or after 30 s, then read again).
  const read = { authorization: headers.authorization, prefer: 'wait=30' };
  return {
    name: 'enterprise',
    pids: [api.child.pid, worker.child.pid],
    async run(days) {
      const submitted = await fetch(`${base}/workflows/tenant_report/execute`, { method: 'POST', headers, body: JSON.stringify({ inputs: { days } }) });
      if (submitted.status !== 202) throw new Error(`submission answered ${submitted.status}: ${await submitted.text()}`);
      const location = submitted.headers.get('location');
      await submitted.arrayBuffer();
      for (;;) {
        const record = await (await fetch(base + location, { headers: read })).json();
        if (TERMINAL.has(record.status)) {
          if (record.status !== 'succeeded') throw new Error(`job ${record.operationId} ${record.status}`);
          return record.result;
        }
      }
    },
    async stop() {
      await Promise.all([worker.stop(), api.stop()]);
      const leftovers = new Queue(queue, { connection: connectionOf(redisUrl()), prefix: 'nexus' });
      await leftovers.obliterate({ force: true }).catch(() => {});
      await leftovers.close();
      for (const name of ['api', 'worker']) rmSync(audit(name), { force: true });
    },
  };
}

async function startBare({ concurrency }) {
  const name = `bench-bare-${process.pid}-${randomUUID().slice(0, 6)}`;
  const prefix = 'nexus-bench';
  const worker = await startServer({ script: 'servers/bullmq-worker.js', env: { REDIS_URL: redisUrl(), BENCH_QUEUE: name, BENCH_PREFIX: prefix, BENCH_CONCURRENCY: String(concurrency) } });
  const connection = connectionOf(redisUrl());
  const queue = new Queue(name, { connection, prefix });
  const events = new QueueEvents(name, { connection, prefix });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  // One listener for every job (as waitUntilFinished would add one per job), registered before
  // the job is added: a job that finishes at once is not missed.
  const waiting = new Map();
  events.on('completed', ({ jobId, returnvalue }) => waiting.get(jobId)?.resolve(typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue));
  events.on('failed', ({ jobId, failedReason }) => waiting.get(jobId)?.reject(new Error(failedReason)));
  return {
    name: 'bare',
    pids: [worker.child.pid],
    async run(days) {
      const jobId = randomUUID();
      const done = new Promise((resolve, reject) => waiting.set(jobId, { resolve, reject }));
      try {
        await queue.add('tenant_report', { days, tenant: 'bench' }, { jobId, removeOnComplete: true, removeOnFail: { count: 1000 } });
        return await done;
      } finally {
        waiting.delete(jobId);
      }
    },
    async stop() {
      await worker.stop();
      await queue.obliterate({ force: true }).catch(() => {});
      await Promise.all([events.close(), queue.close()]);
    },
  };
}

/** `jobs` jobs with `inFlight` callers at once; jobs/s over the wall time, latency per job. */
async function round(side, { jobs, inFlight }) {
  let next = 0;
  const latencies = [];
  const cpuBefore = side.pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < jobs) {
      const days = (next++ % 365) + 1;
      const at = performance.now();
      const result = await side.run(days);
      if (result?.days !== days) throw new Error(`${side.name}: wrong result ${JSON.stringify(result)}`);
      latencies.push(performance.now() - at);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const cpu = side.pids.reduce((sum, pid) => sum + cpuMicros(pid), 0) - cpuBefore;
  return { jobsPerSecond: jobs / seconds, p50: median(latencies), cpuUsPerJob: cpu / jobs };
}

/**
 * Measures both sides: a warm-up round each, then `rounds` interleaved rounds; medians.
 * Resolves with `{ enterprise, bare, ratio, settings }`.
 */
export async function measureJobs({ secret, jobs = 1000, rounds = 3, inFlight = 32, concurrency = 4, warmup = 200, log = console.log }) {
  const sides = [];
  try {
    sides.push(await startEnterprise({ secret, concurrency }), await startBare({ concurrency }));
    for (const side of sides) await round(side, { jobs: warmup, inFlight });
    const samples = new Map(sides.map((side) => [side.name, []]));
    for (let index = 0; index < rounds; index++) {
      const order = index % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const result = await round(side, { jobs, inFlight });
        samples.get(side.name).push(result);
        log(`jobs round ${index + 1} ${side.name}: ${result.jobsPerSecond.toFixed(0)} jobs/s, p50 ${result.p50.toFixed(1)} ms, ${result.cpuUsPerJob.toFixed(0)} µs CPU/job`);
      }
    }
    const summary = (name) => {
      const runs = samples.get(name);
      return { jobsPerSecond: median(runs.map((run) => run.jobsPerSecond)), p50: median(runs.map((run) => run.p50)), cpuUsPerJob: median(runs.map((run) => run.cpuUsPerJob)) };
    };
    const enterprise = summary('enterprise');
    const bare = summary('bare');
    return { enterprise, bare, ratio: enterprise.jobsPerSecond / bare.jobsPerSecond, settings: { jobs, rounds, inFlight, concurrency, warmup } };
  } finally {
    for (const side of sides) await side.stop();
  }
}

export const JOBS_HEADING = '## Jobs (`pnpm bench --jobs`)';

/** Whether the Redis the jobs row needs answers (REDIS_URL, default 127.0.0.1:6379). */
export async function redisAnswers() {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl(), { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** The RESULTS.md section of one jobs measurement. */
export function jobsSection({ enterprise, bare, ratio, settings }, fmt) {
  const holds = ratio >= 0.8;
  return [
    JOBS_HEADING,
    `${new Date().toISOString()}: ${fmt(settings.jobs)} jobs per round, ${settings.inFlight} callers at once, one worker process running ${settings.concurrency} jobs at once on each side, ${settings.rounds} interleaved rounds (A/B/B/A) after ${settings.warmup} warm-up jobs each; medians. Jobs/s = jobs ÷ wall time from the first submission to the last result.`,
    'Enterprise: the reference app (HS256, RBAC, tenant, memory limiter, audit to a file) takes `POST /workflows/tenant_report/execute` with `Prefer: respond-async` (202, Location), a separate `--worker` process runs the job, the caller reads `GET /operations/{id}` with `Prefer: wait=30` until it ended. Bare BullMQ: `Queue.add` from the benchmark process, a separate Worker process running the same handler body (four steps, progress after each, the same result), completion from `QueueEvents`. Same Redis, same worker concurrency.',
    '',
    '| side | jobs/s | p50 ms per job |',
    '|---|---:|---:|',
    `| enterprise stack + one --worker | ${fmt(enterprise.jobsPerSecond)} | ${fmt(enterprise.p50, 1)} |`,
    `| bare BullMQ (Queue.add + Worker) | ${fmt(bare.jobsPerSecond)} | ${fmt(bare.p50, 1)} |`,
    '',
    `Enterprise ÷ bare BullMQ, jobs/s: **${fmt(ratio, 2)}** (goal ≥ 0.8: ${holds ? 'met' : '**missed**'}).`,
  ].join('\n');
}
