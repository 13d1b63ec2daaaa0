import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { JobRecord } from '@nexus/core';
import { EXIT_CODES, createCli } from '../src/index.js';
import type { CliIo } from '../src/index.js';
import { serveApi } from './support/api-server.js';
import { createJobsApp } from './support/jobs-app.js';
import { NEXUS_BIN, runNode } from './support/spawn.js';

const { app } = createJobsApp();
// Worked nowhere: the jobs stay queued while they are paged.
app.configureJobs({ worker: false });
const server = serveApi(app);
const cli = createCli(app, { scriptName: 'my-app' });

async function local(as: string, argv: string[]) {
  const out = { text: '', isTTY: false, write(chunk: string) { out.text += chunk; return true; } };
  const err = { text: '', isTTY: false, write(chunk: string) { err.text += chunk; return true; } };
  const io: CliIo = { stdout: out, stderr: err, stdin: Readable.from(['']), env: { NEXUS_TOKEN: as } };
  const code = await cli.run(argv, io);
  return { code, stdout: out.text, stderr: err.text };
}
const remote = (as: string, args: string[]) => runNode(NEXUS_BIN, ['--url', server.url, '--token', as, ...args]);
const ids = (stdout: string) => (JSON.parse(stdout) as JobRecord[]).map((job) => job.operationId);
const cursorOf = (stderr: string) => (JSON.parse(stderr.trim()) as { nextCursor: string }).nextCursor;

const submitted: string[] = [];
const submit = async (as: string) => {
  const result = await app.dispatch({ purpose: 'submit', channel: 'test', operation: 'report', input: { tag: 'page' }, credential: { kind: 'bearer', token: as } });
  if (!result.ok) throw result.error;
  return (result.value as { operationId: string }).operationId;
};
beforeAll(async () => {
  for (let i = 0; i < 250; i++) submitted.push(await submit('ann:t1'));
  await submit('bob:t1');
});

describe('operations list pages', () => {
  it('in process: prints 100 jobs and the next cursor on stderr; --cursor reads on past a job submitted meanwhile, --all prints every job once', async () => {
    const first = await local('ann:t1', ['operations', 'list', '--output', 'json']);
    expect(first.code).toBe(0);
    expect(ids(first.stdout)).toEqual(submitted.slice(150).reverse());
    const late = await submit('ann:t1');
    const second = await local('ann:t1', ['operations', 'list', '--output', 'json', '--cursor', cursorOf(first.stderr)]);
    expect(ids(second.stdout)).toEqual(submitted.slice(50, 150).reverse());
    const third = await local('ann:t1', ['operations', 'list', '--output', 'json', '--cursor', cursorOf(second.stderr)]);
    expect([ids(third.stdout), third.stderr]).toEqual([submitted.slice(0, 50).reverse(), '']);
    const all = await local('ann:t1', ['operations', 'list', '--all', '--limit', '7']);
    expect(ids(all.stdout)).toEqual([late, ...[...submitted].reverse()]);
    expect(all.stderr).toBe('');
  });

  it('in process: a malformed cursor or limit, or another caller\'s cursor, exits 64', async () => {
    const { stderr } = await local('ann:t1', ['operations', 'list', '--limit', '1', '--output', 'json']);
    for (const [as, args] of [['ann:t1', ['--cursor', 'nope']], ['ann:t1', ['--limit', '0']], ['ann:t1', ['--limit', 'x']], ['bob:t1', ['--cursor', cursorOf(stderr)]], ['ann:t2', ['--cursor', cursorOf(stderr)]]] as const) {
      const result = await local(as, ['operations', 'list', ...args]);
      expect([as, ...args, result.code, result.stdout]).toEqual([as, ...args, EXIT_CODES.INVALID_INPUT, '']);
    }
  });

  it('against a server: --limit and --cursor page over HTTP; a bad cursor exits 64', async () => {
    const first = await remote('ann:t1', ['operations', 'list', '--limit', '2', '--output', 'json']);
    expect(first.code).toBe(0);
    const second = await remote('ann:t1', ['operations', 'list', '--limit', '2', '--output', 'json', '--cursor', cursorOf(first.stderr)]);
    const newest = ids((await remote('ann:t1', ['operations', 'list', '--limit', '4'])).stdout);
    expect([...ids(first.stdout), ...ids(second.stdout)]).toEqual(newest);
    expect((await remote('bob:t1', ['operations', 'list', '--cursor', cursorOf(first.stderr)])).code).toBe(EXIT_CODES.INVALID_INPUT);
    const all = await remote('ann:t1', ['operations', 'list', '--all']);
    expect(new Set(ids(all.stdout)).size).toBe(251);
  });
});
