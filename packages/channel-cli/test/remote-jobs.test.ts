import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import { createApiChannel } from '@nexus/channel-api';
import { z } from 'zod';
import { createRemoteCli } from '../src/index.js';
import { bufferedIo } from './support/io.js';

const app = new Nexus({ logger: silentLogger });
app.handler('report', { description: 'Slow report.', longRunning: true, input: z.object({ n: z.number(), fail: z.boolean().optional() }) }, async ({ n, fail }, ctx) => {
  ctx.progress({ current: 1, total: 1 });
  if (fail) throw new Error('internal detail');
  return { n };
});
const api = createApiChannel({ port: 0 });
app.addChannel(api);
let url: string;

beforeAll(async () => {
  await app.start();
  url = `http://127.0.0.1:${api.address()!.port}`;
});
afterAll(() => app.stop());

const run = async (argv: string[]) => {
  const { io, out, err } = bufferedIo({ tty: false, env: {} });
  const code = await createRemoteCli().run(argv, io);
  return { code, stdout: out.text, stderr: err.text };
};

describe('nexus run of a long-running operation against a server', () => {
  it('waits for the job the server accepted (202) and prints its result', async () => {
    const result = await run(['--url', url, '--token', 'ann', 'run', 'report', '--input', '{"n": 3}']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ n: 3 });
  });

  it('renders a failed job as its problem, the detail hidden', async () => {
    const result = await run(['--url', url, '--token', 'ann', 'run', 'report', '--input', '{"n": 3, "fail": true}']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('INTERNAL');
    expect(result.stderr).not.toContain('internal detail');
  });
});
