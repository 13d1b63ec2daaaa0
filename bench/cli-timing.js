// CLI start-up: wall time of a new process per call, as a shell script runs it, interleaved
// with `node -e 0` (the floor) so load on a shared machine hits every command alike.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './harness.js';
import { signHs256 } from './tokens.js';

const REFERENCE_CLI = new URL('../apps/reference/dist/cli.js', import.meta.url).pathname;
const REMOTE_CLI = new URL('../packages/channel-cli/dist/bin/nexus.js', import.meta.url).pathname;

async function time(args, env) {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}`);
  return performance.now() - started;
}

/** Median wall times (ms) of `node -e 0`, the in-process CLI and the remote `nexus` against `apiUrl`. */
export async function measureCli({ secret, apiUrl, runs = 15, against }) {
  const token = signHs256(secret, '1h');
  const audit = join(tmpdir(), `nexus-bench-cli-audit-${process.pid}.log`);
  const commands = {
    node: [['-e', '0'], {}],
    inProcess: [
      [REFERENCE_CLI, 'run', 'echo', '--input', '{"message":"hello"}', '--output', 'json'],
      { NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token, REDIS_URL: '', NEXUS_AUDIT_FILE: audit },
    ],
    // The in-process CLI of another checkout (`--against`), for a before/after comparison.
    ...(against === undefined ? {} : { inProcessAgainst: [[join(against, 'apps/reference/dist/cli.js'), 'run', 'echo', '--input', '{"message":"hello"}', '--output', 'json'], { NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token, REDIS_URL: '', NEXUS_AUDIT_FILE: audit }] }),
    remote: [[REMOTE_CLI, 'run', 'echo', '--param', 'message=hi'], { NEXUS_URL: apiUrl, NEXUS_TOKEN: token }],
  };
  const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (const [name, [args, env]] of Object.entries(commands)) await time(args, env); // warm the file cache
  for (let round = 0; round < runs; round++) {
    const names = Object.keys(commands);
    for (const name of round % 2 === 0 ? names : names.reverse()) times[name].push(await time(...commands[name]));
  }
  rmSync(audit, { force: true });
  return { runs, ...Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)])) };
}
