import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { createRemoteCli } from '../src/index.js';
import { waitSeconds } from '../src/remote-jobs.js';
import { serveApi } from './support/api-server.js';
import { bufferedIo } from './support/io.js';

const app = new Nexus({ logger: silentLogger });
app.handler('report', { description: 'Slow report.', longRunning: true, input: z.object({ n: z.number(), fail: z.boolean().optional() }) }, async ({ n, fail }, ctx) => {
  ctx.progress({ current: 1, total: 1 });
  if (fail) throw new Error('internal detail');
  return { n };
});
const server = serveApi(app);

const run = async (argv: string[]) => {
  const { io, out, err } = bufferedIo({ tty: false, env: {} });
  const code = await createRemoteCli().run(argv, io);
  return { code, stdout: out.text, stderr: err.text };
};

describe('nexus run of a long-running operation against a server', () => {
  it('waits for the job the server accepted (202) and prints its result', async () => {
    const result = await run(['--url', server.url, '--token', 'ann', 'run', 'report', '--input', '{"n": 3}']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ n: 3 });
  });

  it('renders a failed job as its problem, the detail hidden', async () => {
    const result = await run(['--url', server.url, '--token', 'ann', 'run', 'report', '--input', '{"n": 3, "fail": true}']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('INTERNAL');
    expect(result.stderr).not.toContain('internal detail');
  });
});

describe('nexus run against a server that does not hold status reads', () => {
  it('reads the job again until it ends when the answer has no Preference-Applied: wait', async () => {
    // An older server: it ignores Prefer: wait and answers each read at once, running twice.
    const reads: unknown[] = [];
    const older = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST') return void res.writeHead(202).end(JSON.stringify({ operationId: 'j1', status: 'queued' }));
      reads.push(req.headers.prefer);
      const status = reads.length < 3 ? 'running' : 'succeeded';
      res.end(JSON.stringify({ operationId: 'j1', operation: 'report', status, createdAt: new Date(0).toISOString(), ...(status === 'succeeded' ? { result: { n: 1 } } : {}) }));
    });
    await new Promise<void>((resolve) => older.listen(0, '127.0.0.1', resolve));
    try {
      const result = await run(['--url', `http://127.0.0.1:${(older.address() as AddressInfo).port}`, '--token', 'ann', 'run', 'report', '--input', '{"n": 1}']);
      expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: '{"n":1}\n', stderr: '' });
      expect(reads).toEqual(['wait=15', 'wait=15', 'wait=15']);
    } finally {
      older.close();
    }
  });
});

describe('how long a status read asks the server to hold it (Prefer: wait)', () => {
  it.each([
    ['no bar, the default 30 s timeout: half of it', false, 30_000, 15],
    ['no bar, a long timeout: the server limit', false, 600_000, 30],
    ['a progress bar: one second, to show progress', true, 30_000, 1],
    ['a timeout under 2 s: plain reads', false, 1_500, 0],
    ['a progress bar and a timeout under 2 s: plain reads', true, 1_000, 0],
  ])('%s', (_case, progress, timeoutMs, seconds) => {
    expect(waitSeconds(progress, timeoutMs)).toBe(seconds);
  });
});
