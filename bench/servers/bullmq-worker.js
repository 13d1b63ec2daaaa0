// Bare BullMQ worker for the jobs row: a Worker running the reference app's tenant_report handler
// body (four steps, progress after each, the same result) with nothing around it. Prints one JSON
// line once it is connected.
import { Worker } from 'bullmq';

const STEPS = 4;
const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
const worker = new Worker(process.env.BENCH_QUEUE, async (job) => {
  const { days } = job.data;
  // As ctx.progress: reported, not waited for.
  for (let step = 1; step <= STEPS; step++) job.updateProgress({ current: step, total: STEPS, message: `step ${step} of ${STEPS}` }).catch(() => {});
  return { tenant_id: job.data.tenant, days, records: days * 24, generated_at: new Date().toISOString() };
}, { connection, prefix: process.env.BENCH_PREFIX, concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4), removeOnComplete: { count: 0 }, removeOnFail: { count: 1000 } });
await worker.waitUntilReady();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
