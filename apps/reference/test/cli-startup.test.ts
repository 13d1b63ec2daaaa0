import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { CLI_JS, cleanEnv } from './support/processes.js';
import { mint, newSecret } from './support/tokens.js';

/**
 * A short-lived command pays for every module it loads. Without REDIS_URL the in-process CLI
 * needs no queue and no Redis driver: they must not load at all.
 */
const secret = newSecret();
const token = mint(secret, 'alice', ['admin'], 'acme');
const work = mkdtempSync(join(tmpdir(), 'nexus-cli-startup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
// Preloaded before the CLI: on exit, prints which CommonJS packages were loaded (ESM imports of
// CommonJS packages go through the same cache).
const probe = join(work, 'probe.cjs');
writeFileSync(probe, `process.on('exit', () => { const names = new Set(Object.keys(require.cache).map((file) => /node_modules\\/(?:\\.pnpm\\/[^/]+\\/node_modules\\/)?((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1]).filter(Boolean)); process.stderr.write('LOADED ' + JSON.stringify([...names]) + '\\n'); });\n`);

function loadedBy(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; loaded: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', probe, CLI_JS, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const line = stderr.split('\n').find((text) => text.startsWith('LOADED '));
      // No line means the probe did not run: an empty list would then prove nothing.
      if (line === undefined) reject(new Error(`the probe reported nothing: ${stderr}`));
      else resolve({ code, loaded: JSON.parse(line.slice('LOADED '.length)) as string[] });
    });
  });
}

describe('the in-process CLI loads only what a command needs', () => {
  it('without REDIS_URL: no BullMQ, no ioredis', async () => {
    const env = cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token, NEXUS_AUDIT_FILE: join(work, 'audit.log') });
    const { code, loaded } = await loadedBy(['run', 'echo', '--param', 'message=hi'], env);
    expect(code).toBe(0);
    expect(loaded.filter((name) => ['bullmq', 'ioredis'].includes(name))).toEqual([]);
  });

  it('verifies its token without jsonwebtoken (node:crypto verifies; jsonwebtoken only mints tokens)', async () => {
    const env = cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token, NEXUS_AUDIT_FILE: join(work, 'audit.log') });
    const { code, loaded } = await loadedBy(['run', 'echo', '--param', 'message=hi'], env);
    expect(code).toBe(0);
    expect(loaded).not.toContain('jsonwebtoken');
  });

  it('records its metrics without loading prom-client (nothing reads them in a one-shot command)', async () => {
    const env = cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token, NEXUS_AUDIT_FILE: join(work, 'audit.log') });
    const { code, loaded } = await loadedBy(['run', 'echo', '--param', 'message=hi'], env);
    expect(code).toBe(0);
    expect(loaded).not.toContain('prom-client');
  });
});
