import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { JobExecutor } from '@nexus/core';
import { createBullMqJobPort } from '../src/index.js';
import { until } from './support/until.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `nexus-test-stop-${randomUUID().slice(0, 8)}`;
const redis = new Redis(url);
const PORT_MODULE = new URL('../dist/index.js', import.meta.url).href;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const caller = { requestId: 'r', channel: 'test' };

/** A worker that says which process ran each job. */
const runner = (name: string, runs: string[]): JobExecutor => async (job) => {
  runs.push(`${name}:${job.record.operationId}`);
  return { status: 'succeeded', result: name };
};

/** Resolves once the queue's worker sits in its blocking read (BullMQ names the connection `prefix:base64(queue)`). */
async function blockedOn(queue: string): Promise<void> {
  const name = `name=${prefix}:${Buffer.from(queue).toString('base64')} `;
  for (;;) {
    const clients = (await redis.client('LIST')) as string;
    if (clients.split('\n').some((line) => line.includes(name) && / flags=b /.test(line) && line.includes(' cmd=bzpopmin '))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Submits from another process while this one is held (a synchronous child): the worker's
 * blocking read gets its answer meanwhile, and it sits unread in the socket, as in a process
 * preempted just as it began to stop. The child pings after submitting, so the answer to the
 * worker was written before the child's last reply.
 */
function submitElsewhere(queue: string): string {
  const script = `
    const { createBullMqJobPort } = await import(${JSON.stringify(PORT_MODULE)});
    const port = createBullMqJobPort({ url: ${JSON.stringify(url)}, prefix: ${JSON.stringify(prefix)}, queue: ${JSON.stringify(queue)}, ttlSeconds: 60 });
    const record = await port.submit({ operation: 'later', input: {}, idempotent: false, caller: ${JSON.stringify(caller)} });
    await port.health();
    await port.close();
    process.stdout.write(record.operationId);
  `;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
}

describe('a BullMQ worker that stops', () => {
  it('puts a job handed over after stopWorking began back in the queue untouched; another worker runs it once', async () => {
    const queue = `stop-${randomUUID().slice(0, 8)}`;
    const runs: string[] = [];
    const a = createBullMqJobPort({ url, prefix, queue, ttlSeconds: 60 });
    const b = createBullMqJobPort({ url, prefix, queue, ttlSeconds: 60 });
    try {
      await a.work(runner('a', runs), { concurrency: 1 });
      await blockedOn(queue);
      const id = submitElsewhere(queue);
      await a.stopWorking(10_000);
      expect((await a.get(id))?.record).toMatchObject({ status: 'queued' });
      expect(runs).toEqual([]);
      await b.work(runner('b', runs), { concurrency: 1 });
      expect(await until(b, id, (record) => record.status === 'succeeded', 100)).toMatchObject({ result: 'b' });
      expect(runs).toEqual([`b:${id}`]);
      // Not an attempt: nothing failed, nothing counts it twice.
      expect(await b.counts()).toMatchObject({ failed: 0, succeeded: 1, queued: 0 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
