import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { EXIT_CODES, createCli, createRemoteCli } from '../src/index.js';
import { startTestServer } from './support/http-server.js';
import { bufferedIo } from './support/io.js';

const runs = { count: 0 };
const app = new Nexus({ logger: silentLogger });
app.handler('tally', { description: 'Counts its runs.', input: z.object({ n: z.string() }) }, () => ({ run: ++runs.count }));
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  server = await startTestServer(app);
});
afterAll(() => server.close());

const inProcess = createCli(app, { scriptName: 'my-app' });
const remote = createRemoteCli();
const modes = [
  ['in-process', (argv: string[]) => argv, inProcess],
  ['remote', (argv: string[]) => ['--url', server.url, ...argv], remote],
] as const;

describe.each(modes)('--idempotency-key (%s)', (mode, argvOf, cli) => {
  const run = async (argv: string[]) => {
    const { io, out, err } = bufferedIo({ tty: false });
    const code = await cli.run(argvOf(argv), io);
    return { code, stdout: out.text, stderr: err.text };
  };

  it('a retry with the same key prints the first result without a second run; --verbose says it was replayed', async () => {
    const before = runs.count;
    const first = await run(['--verbose', 'run', 'tally', '--n', '1', '--idempotency-key', `${mode}-1`]);
    const retry = await run(['--verbose', 'run', 'tally', '--n', '1', '--idempotency-key', `${mode}-1`]);
    expect([first.code, retry.code]).toEqual([0, 0]);
    expect(retry.stdout).toBe(first.stdout);
    expect(first.stderr).not.toMatch(/replayed/);
    expect(retry.stderr).toMatch(/replayed the stored result/);
    expect(runs.count).toBe(before + 1);
  });

  it('the same key with other input exits 65 with IDEMPOTENCY_MISMATCH', async () => {
    await run(['run', 'tally', '--n', '1', '--idempotency-key', `${mode}-2`]);
    const other = await run(['--output', 'json', 'run', 'tally', '--n', '2', '--idempotency-key', `${mode}-2`]);
    expect(other.code).toBe(EXIT_CODES.IDEMPOTENCY_MISMATCH);
    expect(other.code).toBe(65);
    expect(JSON.parse(other.stderr.trim().split('\n').pop()!)).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH', status: 422 });
  });

  it('a key that is not 1-255 visible ASCII characters exits 64 (INVALID_INPUT) and runs nothing', async () => {
    const before = runs.count;
    for (const bad of ['k'.repeat(256), 'caf\u00e9', 'two words']) {
      const refused = await run(['--output', 'json', 'run', 'tally', '--n', '1', '--idempotency-key', bad]);
      expect(refused.code).toBe(64);
      expect(JSON.parse(refused.stderr.trim().split('\n').pop()!)).toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect(runs.count).toBe(before);
  });
});
