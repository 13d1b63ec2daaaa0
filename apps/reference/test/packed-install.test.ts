import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { createAccessToken } from '@nexus/auth';
import type { AccessTokenOptions } from '@nexus/auth';
import { buildPortingProject, sectionChecks, startSection } from './support/porting-guide.js';

/**
 * Every publishable package, packed with `pnpm pack` and installed from its tarball into an
 * empty project outside the workspace, must import and expose its API. pnpm installs with
 * `hoist=false`, so a package sees only what it declares: a missing dependency, a `files` list
 * without `dist`, or a wrong `exports` target fails here, not in a user's project.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Publishable {
  dir: string;
  name: string;
  /** Subpath → one named export it must provide (seen in the package's src at the time). */
  expect: Record<string, string>;
  /** Packages the user brings (one copy shared with their own code): peers, never dependencies. */
  peers?: Record<string, RegExp>;
}
const PACKAGES: Publishable[] = [
  { dir: 'packages/core', name: '@nexus/core', expect: { '.': 'Nexus', './testing': 'runChannelConformance' }, peers: { zod: /^\^4\./ } },
  { dir: 'packages/auth', name: '@nexus/auth', expect: { '.': 'NexusAuthPlugin', './testing': 'createConformanceAuth' } },
  { dir: 'packages/workflow', name: '@nexus/workflow', expect: { '.': 'WorkflowBuilder' } },
  { dir: 'packages/channel-api', name: '@nexus/channel-api', expect: { '.': 'createApiChannel' }, peers: { express: /^\^5\./ } },
  { dir: 'packages/channel-cli', name: '@nexus/channel-cli', expect: { '.': 'createCli' } },
  { dir: 'packages/channel-mcp', name: '@nexus/channel-mcp', expect: { '.': 'createMcpChannel' }, peers: { zod: /^\^4\./ } },
  { dir: 'packages/jobs', name: '@nexus/jobs', expect: { '.': 'createBullMqJobPort' } },
  { dir: 'examples/custom-channel', name: '@nexus/example-custom-channel', expect: { '.': 'createNdjsonChannel' } },
];
const EXAMPLE = '@nexus/example-custom-channel';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- package.json is untyped JSON
type Json = Record<string, any>;
type Probe = Record<string, { ok: true; exports: Record<string, string> } | { ok: false; error: string }>;

// Variables the outer `pnpm test` sets would point the inner pnpm back at the workspace.
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_(?!home))/i.test(key)),
) as NodeJS.ProcessEnv;

function run(command: string, args: string[], cwd: string, timeoutMs: number): string {
  const result = spawnSync(command, args, { cwd, env: cleanEnv, encoding: 'utf8', timeout: timeoutMs });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;
const tarballs = new Map<string, string>();
let project = '';
let probe: Probe = {};
const installed = (name: string) => join(project, 'node_modules', name);

/** The packages a package can resolve: the siblings pnpm links into its virtual-store folder. */
function visibleDependencies(name: string): string[] {
  const store = dirname(name.startsWith('@') ? dirname(realpathSync(installed(name))) : realpathSync(installed(name)));
  return readdirSync(store)
    .flatMap((entry) => (entry.startsWith('@') ? readdirSync(join(store, entry)).map((sub) => `${entry}/${sub}`) : [entry]))
    .filter((entry) => entry !== name && entry !== '.bin')
    .sort();
}

beforeAll(() => {
  const work = mkdtempSync(join(tmpdir(), 'nexus-packed-'));
  project = join(work, 'project');
  for (const pkg of PACKAGES) {
    if (!existsSync(join(root, pkg.dir, 'dist/index.js'))) {
      throw new Error(`${pkg.dir}/dist/index.js is missing: run pnpm exec turbo run build --filter=${pkg.name}`);
    }
    const before = new Set(readdirSync(work));
    run('pnpm', ['pack', '--pack-destination', work], join(root, pkg.dir), 60_000);
    const tarball = readdirSync(work).find((file) => file.endsWith('.tgz') && !before.has(file));
    if (!tarball) throw new Error(`pnpm pack wrote no tarball for ${pkg.name}`);
    tarballs.set(pkg.name, join(work, tarball));
  }
  const dependencies = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  run('mkdir', ['-p', project], work, 5_000);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'packed-install', private: true, type: 'module', dependencies }));
  // pnpm refuses an install with an undecided build script (ERR_PNPM_IGNORED_BUILDS), as a user's
  // pnpm would: @nexus/jobs brings bullmq → msgpackr → msgpackr-extract, whose script only
  // compiles the native accelerator when no prebuilt one fits. Denied, as the @nexus/jobs README
  // tells users: the prebuilt binary still loads, and msgpackr works in JavaScript without it.
  writeFileSync(join(project, 'pnpm-workspace.yaml'), 'allowBuilds:\n  msgpackr-extract: false\n');
  const store = run('pnpm', ['store', 'path'], root, 60_000).trim();
  run('pnpm', ['install', '--prefer-offline', '--store-dir', store, '--config.hoist=false', '--config.confirm-modules-purge=false'], project, 240_000);

  const specs = PACKAGES.flatMap((pkg) =>
    Object.keys(readJson(join(installed(pkg.name), 'package.json')).exports ?? { '.': '' })
      .filter((subpath) => subpath !== './package.json')
      .map((subpath) => pkg.name + subpath.slice(1)),
  );
  const script = `const out = {};
    for (const spec of JSON.parse(process.env.NEXUS_SPECS)) {
      try { const m = await import(spec); out[spec] = { ok: true, exports: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v])) }; }
      catch (error) { out[spec] = { ok: false, error: String(error?.stack ?? error) }; }
    }
    process.stdout.write(JSON.stringify(out));`;
  cleanEnv.NEXUS_SPECS = JSON.stringify(specs);
  probe = JSON.parse(run('node', ['--input-type=module', '-e', script], project, 60_000)) as Probe;
}, 480_000);

afterAll(() => {
  if (project) rmSync(dirname(project), { recursive: true, force: true });
});

describe.each(PACKAGES)('$name, packed and installed alone', (pkg) => {
  const manifest = () => readJson(join(installed(pkg.name), 'package.json'));

  it('publishes resolved versions: exact pins, no workspace: or catalog: ranges, core only as a peer', () => {
    const { dependencies = {}, peerDependencies = {}, optionalDependencies = {} } = manifest();
    for (const [dep, range] of Object.entries({ ...dependencies, ...peerDependencies, ...optionalDependencies })) {
      expect({ dep, range }).toEqual({ dep, range: expect.not.stringMatching(/^(workspace|catalog):/) });
    }
    for (const [dep, range] of Object.entries(dependencies)) expect({ dep, range }).toEqual({ dep, range: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    if (pkg.name !== '@nexus/core') {
      expect(peerDependencies['@nexus/core']).toMatch(/^\^\d+\.\d+\.\d+$/);
      expect(dependencies['@nexus/core']).toBeUndefined();
    }
  });

  it('ships every file its exports map and bins point at', () => {
    const { exports: exportMap, bin = {} } = manifest();
    expect(exportMap?.['.']).toBeDefined();
    const targets = Object.values(exportMap as Json).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target as Json)));
    for (const target of targets) expect({ target, exists: existsSync(join(installed(pkg.name), target)) }).toEqual({ target, exists: true });
    for (const file of Object.values(bin as Json) as string[]) {
      expect(readFileSync(join(installed(pkg.name), file), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    }
  });

  it('passes publint, strict and with suggestions', async () => {
    const pkgDir = join(root, pkg.dir);
    const { messages } = await publint({ pkgDir, level: 'suggestion', strict: true, pack: 'pnpm' });
    const manifestInRepo = readJson(join(pkgDir, 'package.json'));
    expect(messages.map((message) => `${message.type}: ${formatMessage(message, manifestInRepo) ?? message.code}`)).toEqual([]);
  }, 120_000);

  it('takes the packages users share with it (zod schemas, express routers) as peers', () => {
    const { dependencies = {}, peerDependencies = {} } = manifest();
    for (const [dep, range] of Object.entries(pkg.peers ?? {})) {
      expect({ dep, peer: peerDependencies[dep], dependency: dependencies[dep] }).toEqual({ dep, peer: expect.stringMatching(range), dependency: undefined });
    }
  });

  it('ships the sources its declaration maps point at', () => {
    const maps = (readdirSync(join(installed(pkg.name), 'dist'), { recursive: true }) as string[]).filter((file) => file.endsWith('.d.ts.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const file = join(installed(pkg.name), 'dist', map);
      for (const source of (readJson(file).sources ?? []) as string[]) {
        // A map left in dist/ by an earlier build of a since-deleted file is not what this checks.
        if (!existsSync(resolve(join(root, pkg.dir, 'dist'), dirname(map), source))) continue;
        const target = resolve(dirname(file), source);
        expect({ map, source, exists: existsSync(target) }).toEqual({ map, source, exists: true });
      }
    }
  });

  it('ships no build bookkeeping', () => {
    expect(existsSync(join(installed(pkg.name), 'dist', '.tsbuildinfo'))).toBe(false);
  });

  it('imports from the tarball with only its declared dependencies, exposing its API', () => {
    const { dependencies = {}, peerDependencies = {}, optionalDependencies = {}, exports: exportMap } = manifest();
    const declared = new Set(Object.keys({ ...dependencies, ...peerDependencies, ...optionalDependencies }));
    for (const dep of visibleDependencies(pkg.name)) expect({ dep, declared: declared.has(dep) }).toEqual({ dep, declared: true });
    for (const subpath of Object.keys(exportMap as Json).filter((s) => s !== './package.json')) {
      const spec = pkg.name + subpath.slice(1);
      const result = probe[spec];
      expect(result).toBeDefined();
      if (!result!.ok) throw new Error(`import('${spec}') failed in the packed install:\n${result!.error}`);
      expect(Object.keys(result!.exports).length).toBeGreaterThan(0);
    }
    for (const [subpath, name] of Object.entries(pkg.expect)) {
      const result = probe[pkg.name + subpath.slice(1)];
      expect(result?.ok && result.exports[name]).toBe('function');
    }
  });
});

it('installs the custom-channel example with @nexus/core as its only package', () => {
  expect(visibleDependencies(EXAMPLE)).toEqual(['@nexus/core']);
});

/**
 * docs/porting: each section of the patterns document, ported. Compiled in a fresh npm project
 * against the tarballs with strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes,
 * then each is started on free ports and answers over HTTP, so the guide cannot rot.
 */
describe('the porting guide, built from the tarballs with npm', () => {
  const secret = randomBytes(48).toString('base64url');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'porting', alg: 'RS256', use: 'sig' }] }));
  });
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // A fresh subject per run: keys in the shared Redis never meet another run's.
  const who = `porting-${randomBytes(4).toString('hex')}`;
  const hs = (roles: string[], claims: Record<string, unknown> = { tenant_id: 'acme' }) =>
    createAccessToken({ subject: who, key: secret, roles, claims, expiresIn: 600 });
  const rs = (roles: string[], extra: Partial<AccessTokenOptions> = {}) =>
    createAccessToken({ subject: who, key: privateKey, algorithm: 'RS256', keyId: 'porting', roles, tenant: 'acme', expiresIn: 600, ...extra });
  let built: { project: string; sections: string[] };
  let env: NodeJS.ProcessEnv;

  const CHECKS = sectionChecks({ hs, rs });

  beforeAll(async () => {
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    env = { ...cleanEnv, JWT_SECRET: secret, JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, REDIS_URL: redisUrl };
    built = buildPortingProject(dirname(project), join(root, 'docs/porting'), tarballs, join(root, 'node_modules/.bin/tsc'), cleanEnv);
  }, 400_000);
  afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

  it('has a check for every section, and porting.md shows every section as compiled', () => {
    expect(built.sections).toEqual(Object.keys(CHECKS).sort());
    const guide = readFileSync(join(root, 'docs/porting.md'), 'utf8');
    for (const section of built.sections) {
      const code = readFileSync(join(root, 'docs/porting', `${section}.ts`), 'utf8').trimEnd();
      expect({ section, shown: guide.includes(`\`\`\`ts\n${code}\n\`\`\``) }).toEqual({ section, shown: true });
    }
  });

  it.each(Object.keys(CHECKS).sort())('runs %s: starts on free ports, answers over HTTP, stops', async (section) => {
    const running = await startSection(built.project, section, env);
    try {
      await CHECKS[section]!(running.api);
    } finally {
      await running.stop();
    }
  }, 60_000);
});
