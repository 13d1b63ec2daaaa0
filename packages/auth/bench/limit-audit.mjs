// Overhead per call of the limit stage (memory, Redis) and of audit to a file, measured in one
// run on one machine against the same pipeline without them. Needs a build (`pnpm build`).
// Usage: node bench/limit-audit.mjs [--calls 20000] [--rounds 5] [--concurrency 1,32]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Nexus, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { createRateLimiter } from '../dist/rate-limit/index.js';
import { createAuditor } from '../dist/audit/index.js';

const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : process.argv[index + 1];
};
const CALLS = Number(arg('calls', 20_000));
const ROUNDS = Number(arg('rounds', 5));
const CONCURRENCY = String(arg('concurrency', '1,32')).split(',').map(Number);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const USERS = Array.from({ length: 100 }, (_, i) => ({ id: `user-${i}`, roles: ['user'], permissions: [], claims: {} }));
const TENANT = { id: 'acme', source: 'claim' };
const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-'));

// Stands in for authentication so the limiter keys on tenant + principal, as in production.
const principalStage = async function principal(ctx, next) {
  const user = USERS[Number(ctx.credential.token)];
  ctx.annotations.principal = user;
  ctx.annotations.tenant = TENANT;
  return next({ principal: user, tenant: TENANT });
};

async function variant(name, { limiter, audit }) {
  const app = new Nexus({ logger: silentLogger });
  app.use('authenticate', principalStage);
  app.handler('echo', { description: 'Echo', input: z.object({ message: z.string() }) }, ({ message }) => ({ message }));
  const closers = [];
  if (limiter) {
    const handle = createRateLimiter({ requestsPerMinute: 1e12, burstSize: 0, ...limiter, redisKeyPrefix: `nexus-bench:${randomBytes(4).toString('hex')}:` }, app);
    await handle.start();
    if ((await handle.health()).status !== 'healthy') {
      await handle.stop();
      return undefined;
    }
    app.use('limit', handle.stage);
    closers.push(() => handle.stop());
  }
  if (audit) {
    const handle = createAuditor({ backend: 'file', path: join(dir, `${name.replace(/\W+/g, '-')}.log`) }, app);
    app.use('observe', handle.stage);
    closers.push(() => handle.stop());
  }
  let next = 0;
  const call = () => {
    const user = next++ % USERS.length;
    return app.invoke({ channel: 'api', operation: 'echo', input: { message: 'hi' }, credential: { kind: 'bearer', token: String(user) }, clientAddress: '127.0.0.1' });
  };
  return { name, call, close: () => Promise.all(closers.map((close) => close())) };
}

/** Wall-clock µs per call with `concurrency` calls in flight. */
async function measure(call, calls, concurrency) {
  let remaining = calls;
  let failures = 0;
  const worker = async () => {
    while (remaining-- > 0) if (!(await call()).ok) failures++;
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const micros = Number(process.hrtime.bigint() - started) / 1000 / calls;
  if (failures > 0) throw new Error(`${failures} calls failed`);
  return micros;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const variants = (
  await Promise.all([
    variant('bare pipeline', {}),
    variant('limit: memory', { limiter: { backend: 'memory' } }),
    variant('limit: redis', { limiter: { backend: 'redis', redisUrl: REDIS_URL } }),
    variant('audit: file', { audit: true }),
    variant('limit: memory + audit: file', { limiter: { backend: 'memory' }, audit: true }),
    variant('limit: redis + audit: file', { limiter: { backend: 'redis', redisUrl: REDIS_URL }, audit: true }),
  ])
).filter(Boolean);
if (!variants.some((v) => v.name === 'limit: redis')) console.log(`(Redis at ${REDIS_URL} not reachable: Redis variants skipped)`);

console.log(`node ${process.version}, ${CALLS} calls x ${ROUNDS} rounds per variant, median round; ratio = bare µs / variant µs (throughput ratio)\n`);
for (const concurrency of CONCURRENCY) {
  const samples = new Map(variants.map((v) => [v.name, []]));
  for (const v of variants) await measure(v.call, Math.min(2_000, CALLS), concurrency); // warm-up
  // Rounds interleave the variants so drift on a shared machine hits all of them alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) samples.get(v.name).push(await measure(v.call, CALLS, concurrency));
  }
  const bare = median(samples.get('bare pipeline'));
  console.log(`concurrency ${concurrency}`);
  console.log(`  ${'variant'.padEnd(30)} ${'µs/call'.padStart(9)} ${'overhead µs'.padStart(12)} ${'ratio'.padStart(7)}`);
  for (const v of variants) {
    const micros = median(samples.get(v.name));
    console.log(`  ${v.name.padEnd(30)} ${micros.toFixed(2).padStart(9)} ${(micros - bare).toFixed(2).padStart(12)} ${(bare / micros).toFixed(3).padStart(7)}`);
  }
  console.log('');
}

await Promise.all(variants.map((v) => v.close()));
rmSync(dir, { recursive: true, force: true });
