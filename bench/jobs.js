// The jobs row: jobs per second end to end through the full enterprise stack (the reference
// app's API takes `POST /workflows/tenant_report/execute` with Prefer: respond-async, one
// `--worker` process runs the job, the caller reads `GET /operations/{id}` with Prefer: wait until
// it ended) against bare BullMQ (`Queue.add` + a Worker process running the same handler body,
// completion from QueueEvents). Same Redis, same worker concurrency, interleaved rounds (A/B/B/A).
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { cpuMicros, freePort, median, startServer, waitForHttp } from './harness.js';
import { signHs256 } from './tokens.js';

const REFERENCE_MAIN = new URL('../apps/reference/dist/main.js', import.meta.url).pathname;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

// BENCH_CPU_PROF=<dir>: every process of both sides runs under --cpu-prof, its profile in <dir>.
const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
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

export async function startEnterprise({ secret, concurrency, main = REFERENCE_MAIN, name = 'enterprise' }) {
  const queue = `bench-jobs-${process.pid}-${randomUUID().slice(0, 6)}`;
  const audit = (role) => join(tmpdir(), `nexus-bench-jobs-${name}-${role}-${process.pid}.log`);
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
    script: main,
    execArgv,
    env: { ...common, NEXUS_HOST: '127.0.0.1', NEXUS_API_PORT: apiPort, NEXUS_MCP_PORT: String(await freePort()), NEXUS_JOBS_WORKER: '0', NEXUS_AUDIT_FILE: audit('api') },
    ready: () => waitForHttp(`http://127.0.0.1:${apiPort}/health/ready`),
  });
  const worker = await startServer({ script: main, execArgv, args: ['--worker'], env: { ...common, NEXUS_WORKER_CONCURRENCY: String(concurrency), NEXUS_AUDIT_FILE: audit('worker') }, ready: logged('"working jobs"') });
  // node:http on kept-alive sockets, as a client that cares about its own cost would call
  // (fetch spends several times the CPU per request, on the same two cores as the servers).
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const call = (method, path, headers, body) => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(apiPort), method, path, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  const headers = { 'content-type': 'application/json', prefer: 'respond-async', authorization: `Bearer ${signHs256(secret, '2h', ['executive'])}` };
  // One read per job: the status route answers once the job ended (or after 30 s, then read again).
  const read = { authorization: headers.authorization, prefer: 'wait=30' };
  return {
    name,
    pids: [api.child.pid, worker.child.pid],
    processes: ['api', 'worker'],
    async run(days) {
      const submitted = await call('POST', '/workflows/tenant_report/execute', headers, JSON.stringify({ inputs: { days } }));
      if (submitted.status !== 202) throw new Error(`submission answered ${submitted.status}: ${submitted.text}`);
      const location = submitted.headers.location;
      for (;;) {
        const record = JSON.parse((await call('GET', location, read)).text);
        if (TERMINAL.has(record.status)) {
          if (record.status !== 'succeeded') throw new Error(`job ${record.operationId} ${record.status}`);
          return record.result;
        }
      }
    },
    async stop() {
      agent.destroy();
      await Promise.all([worker.stop(), api.stop()]);
      const leftovers = new Queue(queue, { connection: connectionOf(redisUrl()), prefix: 'nexus' });
      await leftovers.obliterate({ force: true }).catch(() => {});
      await leftovers.close();
      for (const role of ['api', 'worker']) rmSync(audit(role), { force: true });
    },
  };
}

export async function startBare({ concurrency }) {
  const name = `bench-bare-${process.pid}-${randomUUID().slice(0, 6)}`;
  const prefix = 'nexus-bench';
  const worker = await startServer({ script: 'servers/bullmq-worker.js', execArgv, env: { REDIS_URL: redisUrl(), BENCH_QUEUE: name, BENCH_PREFIX: prefix, BENCH_CONCURRENCY: String(concurrency) } });
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
    processes: ['worker'],
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
export async function round(side, { jobs, inFlight }) {
  let next = 0;
  const latencies = [];
  const cpuBefore = side.pids.map((pid) => cpuMicros(pid));
  // The callers (HTTP clients, or Queue.add and QueueEvents) run in this process: their CPU too.
  const clientBefore = process.cpuUsage();
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
  const perProcess = side.pids.map((pid, index) => (cpuMicros(pid) - cpuBefore[index]) / jobs);
  const client = process.cpuUsage(clientBefore);
  const cpuUsPerJob = perProcess.reduce((sum, us) => sum + us, 0);
  return { jobsPerSecond: jobs / seconds, p50: median(latencies), cpuUsPerJob, perProcess, clientUsPerJob: (client.user + client.system) / jobs };
}

/**
 * Measures both sides: a warm-up round each, then `rounds` interleaved rounds; medians.
 * Resolves with `{ enterprise, bare, ratio, settings }`.
 */
export async function measureJobs({ secret, jobs = 1000, rounds = 3, inFlight = 32, concurrency = 4, warmup = 1000, log = console.log }) {
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
        log(`jobs round ${index + 1} ${side.name}: ${result.jobsPerSecond.toFixed(0)} jobs/s, p50 ${result.p50.toFixed(1)} ms, ${result.cpuUsPerJob.toFixed(0)} µs CPU/job (${side.processes.map((name, at) => `${name} ${result.perProcess[at].toFixed(0)}`).join(', ')}; callers ${result.clientUsPerJob.toFixed(0)})`);
      }
    }
    const summary = (name) => {
      const runs = samples.get(name);
      const cpu = (pick) => median(runs.map(pick));
      return {
        jobsPerSecond: cpu((run) => run.jobsPerSecond),
        p50: cpu((run) => run.p50),
        cpuUsPerJob: cpu((run) => run.cpuUsPerJob),
        perProcess: runs[0].perProcess.map((_, at) => cpu((run) => run.perProcess[at])),
        clientUsPerJob: cpu((run) => run.clientUsPerJob),
      };
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
    'Enterprise: the reference app (HS256, RBAC, tenant, its Redis-backed limiter as with any REDIS_URL, audit to a file) takes `POST /workflows/tenant_report/execute` with `Prefer: respond-async` (202, Location), a separate `--worker` process runs the job, the caller reads `GET /operations/{id}` with `Prefer: wait=30` until it ended (node:http, kept-alive sockets). Bare BullMQ: `Queue.add` from the benchmark process, a separate Worker process running the same handler body (four steps, progress after each, the same result), completion from `QueueEvents`. Same Redis, same worker concurrency.',
    'CPU µs/job: per server process (from /proc), and of the callers in the benchmark process (HTTP clients, or Queue.add and QueueEvents); Redis not included. On a machine with few cores every process competes for them, so jobs/s follows the total.',
    '',
    '| side | jobs/s | p50 ms per job | CPU µs/job: servers | CPU µs/job: callers |',
    '|---|---:|---:|---|---:|',
    `| enterprise stack + one --worker | ${fmt(enterprise.jobsPerSecond)} | ${fmt(enterprise.p50, 1)} | API ${fmt(enterprise.perProcess[0])} + worker ${fmt(enterprise.perProcess[1])} | ${fmt(enterprise.clientUsPerJob)} |`,
    `| bare BullMQ (Queue.add + Worker) | ${fmt(bare.jobsPerSecond)} | ${fmt(bare.p50, 1)} | worker ${fmt(bare.perProcess[0])} | ${fmt(bare.clientUsPerJob)} |`,
    '',
    `Enterprise ÷ bare BullMQ, jobs/s: **${fmt(ratio, 2)}** (goal ≥ 0.8: ${holds ? 'met' : '**missed**'}).`,
  ].join('\n');
}
