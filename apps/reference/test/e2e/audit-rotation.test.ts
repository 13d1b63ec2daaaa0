import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { underCI } from '../support/ci.js';
import { killAll, startApp } from '../support/processes.js';
import type { AppProcess } from '../support/processes.js';
import { mint, newSecret } from '../support/tokens.js';

const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate'].find((candidate) => {
  try {
    execFileSync(candidate, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (LOGROTATE === undefined && underCI()) throw new Error('logrotate is required under CI (.ci/run installs it)');
if (LOGROTATE === undefined) process.stderr.write('audit-rotation.test.ts skipped: logrotate is not installed\n');
const describeWithLogrotate = LOGROTATE === undefined ? describe.skip : describe;

const dirs: string[] = [];
afterAll(async () => {
  await killAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Request ids of the complete audit lines in `path` (none when it does not exist). */
function idsIn(path: string): string[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').slice(0, -1).map((line) => (JSON.parse(line) as { requestId: string }).requestId);
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function send(server: AppProcess, token: string, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const response = await fetch(`${server.api}/workflows/echo/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': id },
      body: JSON.stringify({ inputs: { message: id } }),
    });
    expect(response.status).toBe(200);
  }
}

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describeWithLogrotate('audit file rotation with the real logrotate', () => {
  it.each([
    ['create, with postrotate kill -HUP', (pid: number) => `create\n  postrotate\n    kill -HUP ${pid}\n  endscript`],
    ['copytruncate', () => 'copytruncate'],
  ])('%s: every record sent before and after rotation is in exactly one file, and the server keeps running', async (mode, directives) => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-rotate-'));
    dirs.push(dir);
    const audit = join(dir, 'audit.log');
    const secret = newSecret();
    const server = await startApp({ NEXUS_JWT_SECRET: secret, NEXUS_AUDIT_FILE: audit, NEXUS_RATE_LIMIT_RPM: '100000', NEXUS_RATE_LIMIT_BURST: '1000' });
    const token = mint(secret, 'e2e-rotate', ['developer'], 'acme');

    const before = ids(`before-${mode.slice(0, 6)}`, 40);
    await send(server, token, before);
    await until(() => idsIn(audit).length === before.length, 'the records before rotation');

    const config = join(dir, 'logrotate.conf');
    writeFileSync(config, `${audit} {\n  rotate 3\n  missingok\n  nocompress\n  ${directives(server.child.pid!)}\n}\n`);
    const hupsBefore = server.stderr().split('"reopening files"').length;
    execFileSync(LOGROTATE!, ['--force', '--state', join(dir, 'logrotate.state'), config], { stdio: 'pipe' });
    if (mode.startsWith('create')) await until(() => server.stderr().split('"reopening files"').length > hupsBefore, 'the server to handle SIGHUP');

    const after = ids(`after-${mode.slice(0, 6)}`, 40);
    await send(server, token, after);
    const rotated = `${audit}.1`;
    await until(() => idsIn(audit).length + idsIn(rotated).length === before.length + after.length, 'the records after rotation');

    const current = idsIn(audit);
    const old = idsIn(rotated);
    expect(old).toEqual(before);
    expect(current).toEqual(after);
    expect(server.child.exitCode).toBeNull();
    expect((await server.stop()).code).toBe(0);
  }, 60_000);
});
