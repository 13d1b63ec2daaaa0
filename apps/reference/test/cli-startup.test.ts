import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { CLI_JS, cleanEnv } from './support/processes.js';
import { mint, newSecret } from './support/tokens.js';

/**
 * A short-lived command pays for every module it loads. Without REDIS_URL the in-process CLI
 * needs no queue and no Redis driver: they must not load at all.
 */
const secret = newSecret();
const token = mint(secret, 'alice', ['admin'], 'acme');
// The repository root, with its trailing slash: own files are named from here.
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'nexus-cli-startup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
// Preloaded before the CLI: records every module the process loads into NEXUS_PROBE_OUT. ES
// modules are seen by a load hook (it runs on Node's loader thread, so it appends to the file
// itself); on exit, the CommonJS cache (packages loaded with require, createRequire included) and
// Node's own list of built-ins (node:net and node:http are not loaded by Node's start-up).
const hooks = join(work, 'probe-hooks.mjs');
writeFileSync(hooks, `import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function load(url, context, next) { appendFileSync(out, url + '\\n'); return next(url, context); }
`);
const probe = join(work, 'probe.mjs');
writeFileSync(probe, `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
const out = process.env.NEXUS_PROBE_OUT;
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { out } });
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(out, [...Object.keys(require.cache), ...process.moduleLoadList].join('\\n') + '\\nPROBE-END\\n'));
`);

/** What loading showed: package names (CommonJS and ESM alike), built-ins and this repository's own files. */
interface Loaded {
  readonly code: number | null;
  readonly packages: string[];
  readonly builtins: string[];
  readonly files: string[];
}

let runs = 0;
function loadedBy(args: string[], env: NodeJS.ProcessEnv): Promise<Loaded> {
  const out = join(work, `loaded-${++runs}.txt`);
  // stderr to a file, not a pipe: a piped stdio stream is a net.Socket, which would load node:net itself.
  const stderrFile = join(work, `stderr-${runs}.txt`);
  const stderr = openSync(stderrFile, 'w');
  return new Promise<Loaded>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', pathToFileURL(probe).href, CLI_JS, ...args], { env: { ...env, NEXUS_PROBE_OUT: out }, stdio: ['ignore', 'ignore', stderr] });
    child.once('error', reject);
    child.once('close', (code) => {
      const lines = existsSync(out) ? readFileSync(out, 'utf8').split('\n') : [];
      // No closing line means the probe did not run: an empty list would then prove nothing.
      if (!lines.includes('PROBE-END')) {
        reject(new Error(`the probe reported nothing: ${readFileSync(stderrFile, 'utf8')}`));
        return;
      }
      const paths = lines.map((line) => (line.startsWith('file:') ? fileURLToPath(line) : line));
      const packages = new Set(paths.map((path) => /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1]).filter((name): name is string => name !== undefined));
      resolve({
        code,
        packages: [...packages],
        builtins: lines.filter((line) => line.startsWith('NativeModule ')).map((line) => line.slice('NativeModule '.length)),
        files: paths.filter((path) => path.startsWith(REPO) && !path.includes('/node_modules/')).map((path) => path.slice(REPO.length)),
      });
    });
  }).finally(() => closeSync(stderr));
}

describe('the in-process CLI loads only what a command needs', () => {
  it('without REDIS_URL: no BullMQ, no ioredis', async () => {
    const env = cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token, NEXUS_AUDIT_FILE: join(work, 'audit.log') });
    const { code, packages } = await loadedBy(['run', 'echo', '--param', 'message=hi'], env);
    expect(code).toBe(0);
    expect(packages.filter((name) => ['bullmq', 'ioredis'].includes(name))).toEqual([]);
  });

  it('verifies its token without jsonwebtoken (node:crypto verifies; jsonwebtoken only mints tokens)', async () => {
    const env = cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token, NEXUS_AUDIT_FILE: join(work, 'audit.log') });
    const { code, packages } = await loadedBy(['run', 'echo', '--param', 'message=hi'], env);
    expect(code).toBe(0);
    expect(packages).not.toContain('jsonwebtoken');
  });

  it('records its metrics without loading prom-client (nothing reads them in a one-shot command)', async () => {
    const env = cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token, NEXUS_AUDIT_FILE: join(work, 'audit.log') });
    const { code, packages } = await loadedBy(['run', 'echo', '--param', 'message=hi'], env);
    expect(code).toBe(0);
    expect(packages).not.toContain('prom-client');
  });

  it('serves nothing and calls out to nothing: no server or client stack, no full parser, no node:http or node:net', async () => {
    const env = cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token, NEXUS_AUDIT_FILE: join(work, 'audit.log') });
    const { code, packages, builtins, files } = await loadedBy(['run', 'echo', '--param', 'message=hi'], env);
    expect(code).toBe(0);
    // The probe sees ES modules and built-ins too: zod (an ES module), the CLI's own files and
    // node:crypto (tokens are verified with it) are there.
    expect(packages).toContain('zod');
    expect(files).toContain('packages/channel-cli/dist/run-command.js');
    expect(builtins).toContain('crypto');
    expect(packages.filter((name) => ['express', '@modelcontextprotocol/sdk', 'yargs', 'winston', 'undici'].includes(name))).toEqual([]);
    expect(files.filter((file) => /^packages\/(channel-api|channel-mcp|jobs)\//.test(file))).toEqual([]);
    // The remote CLI's HTTP client, help, completion and job following are for other command lines.
    expect(files.filter((file) => /channel-cli\/dist\/(remote-backend|http-call|full-parser|completion|usage|wait|confirm)\.js$/.test(file))).toEqual([]);
    expect(builtins.filter((name) => /^(net|http|https|tls|_http_\w+)$/.test(name))).toEqual([]);
  });
});
