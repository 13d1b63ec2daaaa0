import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { startTestServer } from './support/http-server.js';
import { NEXUS_BIN, runNode } from './support/spawn.js';

// A short-lived `nexus run` pays for every module it loads: yargs (its help renderer alone) and
// fetch (undici) each cost more CPU at start-up than Node itself. A plain run needs neither.
const RECORDER = fileURLToPath(new URL('./fixtures/record-loads.mjs', import.meta.url));

const app = new Nexus({ logger: silentLogger });
app.handler('echo', { description: 'Echo.', input: z.object({ message: z.string(), count: z.number().optional() }) }, (input) => input);
let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer(app);
});
afterAll(() => server.close());

async function runRecorded(args: string[]) {
  const exited = await runNode('--import', [RECORDER, NEXUS_BIN, ...args], { env: { NEXUS_URL: server.url, NEXUS_TOKEN: 'caller' } });
  const at = exited.stderr.lastIndexOf('\nloads:');
  expect(at).toBeGreaterThanOrEqual(0);
  const loads = JSON.parse(exited.stderr.slice(at + '\nloads:'.length)) as { resolved: string[]; fetchCalls: number };
  return { ...exited, stderr: exited.stderr.slice(0, at), yargs: loads.resolved.filter((url) => /\/(yargs|cliui|string-width)[@/]/.test(url)), fetchCalls: loads.fetchCalls };
}

describe('nexus start-up', () => {
  it('runs `run <name> --param` without loading yargs or calling fetch', async () => {
    const result = await runRecorded(['run', 'echo', '--param', 'message=hi', '--output', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ message: 'hi' });
    expect(result.yargs).toEqual([]);
    expect(result.fetchCalls).toBe(0);
  });

  it('takes global options before the command and --key=value on the fast path too', async () => {
    const result = await runRecorded(['--output=json', '--timeout', '5', 'run', 'echo', '--input', '{"message":"in"}', '--param=count=2']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ message: 'in', count: 2 });
    expect(result.yargs).toEqual([]);
  });

  it('still parses with yargs whatever the fast path does not cover: help, schema fields, typos', async () => {
    const field = await runRecorded(['run', 'echo', '--message', 'field', '--output', 'json']);
    expect(field.code).toBe(0);
    expect(JSON.parse(field.stdout)).toEqual({ message: 'field' });
    expect(field.yargs.length).toBeGreaterThan(0);

    const typo = await runRecorded(['run', 'echo', '--parm', 'message=x']);
    expect(typo.code).toBe(64);
    expect(typo.stderr).toContain('--parm (did you mean --param?)');

    const extra = await runRecorded(['run', 'echo', 'surplus', '--param', 'message=x']);
    expect(extra.code).toBe(64);
  });
});
