import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createAuditor } from '../src/audit/index.js';
import type { AuditorHandle, AuditRecord } from '../src/audit/index.js';
import { underCI } from './ci.js';
import { createTestApp, eventually } from './rate-limit-support.js';

// A real full disk: a 1 MiB tmpfs mounted for this file. Mounting needs root; outside CI a
// non-root run skips with a message, under CI it must run.
const root = process.getuid?.() === 0;
if (!root && underCI()) throw new Error('the disk-full audit test needs root (to mount a tmpfs) and must run under CI');
if (!root) process.stderr.write('audit-disk-full.test.ts skipped: mounting a tmpfs needs root\n');
const describeAsRoot = root ? describe : describe.skip;

let base: string;
let mount: string;
let mounted = false;

beforeAll(async () => {
  if (!root) return;
  base = await mkdtemp(join(tmpdir(), 'nexus-audit-full-'));
  mount = join(base, 'fs');
  execFileSync('mkdir', ['-p', mount]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
  mounted = true;
});

afterAll(async () => {
  await Promise.all([...auditors].map((auditor) => auditor.stop()));
  // Lazy: a file a failed test left open must not keep the mount behind.
  if (mounted) execFileSync('umount', ['-l', mount]);
  if (base) await rm(base, { recursive: true, force: true });
});

const auditors = new Set<AuditorHandle>();

const free = () => {
  const stats = statfsSync(mount);
  return stats.bavail * stats.bsize;
};

/** Fills the filesystem but for `leaveBytes` with a filler file. */
async function fill(leaveBytes: number): Promise<string> {
  const filler = join(mount, 'filler');
  await writeFile(filler, Buffer.alloc(Math.max(0, free() - leaveBytes)));
  return filler;
}

async function lines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  // Only complete lines: the writer may be halfway through a write while we read.
  return text.split('\n').slice(0, -1);
}

const dropped = async (app: Nexus, reason: string) =>
  (await app.metrics.auditRecordsDropped.get()).values.find((value) => value.labels.reason === reason)?.value ?? 0;

const status = async (app: Nexus) => (await app.healthCheck()).checks.audit?.status;

function audited(onFailure?: 'fail-open' | 'fail-closed'): { app: Nexus; auditor: AuditorHandle; path: string; served: { count: number } } {
  const path = join(mount, `audit-${onFailure ?? 'default'}.log`);
  const app = createTestApp();
  const auditor = createAuditor({ backend: 'file', path, ...(onFailure ? { onFailure } : {}) }, app);
  auditors.add(auditor);
  app.use('observe', auditor.stage);
  app.addHealthCheck('audit', auditor.health);
  const served = { count: 0 };
  app.use('validate', async (_ctx, next) => {
    served.count++;
    return next();
  });
  return { app, auditor, path, served };
}

const send = (app: Nexus, prefix: string, count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => app.invoke({ channel: 'api', operation: 'ping', requestId: `${prefix}-${i}` })));

describeAsRoot('audit on a full disk (a real 1 MiB tmpfs)', () => {
  it('counts every lost record, turns the audit check unhealthy, and recovers by itself once space returns', async () => {
    const { app, auditor, path } = audited();
    await auditor.start();
    expect(await status(app)).toBe('healthy');
    const filler = await fill(64 * 1024);

    const SENT = 3_000;
    // Fail-open: every call is still served while its record is lost.
    for (let batch = 0; batch < SENT / 100; batch++) expect((await send(app, `full-${batch}`, 100)).every((result) => result.ok)).toBe(true);
    // Every record is either a complete line in the file or counted as dropped, never both, never neither.
    let written: string[] = [];
    await eventually(async () => {
      written = await lines(path);
      return written.length + (await dropped(app, 'no_space')) === SENT;
    }, 10_000);
    const droppedCount = await dropped(app, 'no_space');
    expect(droppedCount).toBeGreaterThan(0);
    const ids = written.map((line) => (JSON.parse(line) as AuditRecord).requestId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await status(app)).toBe('unhealthy');

    await rm(filler);
    const AFTER = 500;
    await eventually(async () => {
      await send(app, `probe-${Date.now()}`, 1);
      return (await status(app)) === 'healthy';
    }, 10_000);
    const after = await send(app, 'after', AFTER);
    const idsInFile = async () => new Set((await lines(path)).map((line) => (JSON.parse(line) as AuditRecord).requestId));
    await eventually(async () => {
      const present = await idsInFile();
      return after.every((result) => present.has(result.requestId));
    }, 10_000);
    expect(await dropped(app, 'no_space')).toBe(droppedCount);
    // No duplicate and no cut line anywhere in the file.
    const all = await lines(path);
    expect((await idsInFile()).size).toBe(all.length);
    process.stderr.write(
      `audit disk-full run: sent ${SENT}, written ${written.length}, counted dropped ${droppedCount} (no_space), ` +
        `health unhealthy while full; after space returned: sent ${AFTER}, written ${AFTER}, health healthy\n`,
    );
    await auditor.stop();
  }, 60_000);

  it("with onFailure 'fail-closed' refuses calls UNAVAILABLE while audit cannot be written, and serves again once it can", async () => {
    const { app, auditor, served } = audited('fail-closed');
    await auditor.start();
    const filler = await fill(0);
    // The first records reveal the full disk; from then on calls are refused before they run.
    await eventually(async () => {
      await send(app, `detect-${Date.now()}`, 20);
      return (await status(app)) === 'unhealthy';
    }, 10_000);
    const servedBefore = served.count;
    const refused = await send(app, 'refused', 20);
    for (const result of refused) expect(!result.ok && result.error.code).toBe('UNAVAILABLE');
    expect(served.count).toBe(servedBefore);

    await rm(filler);
    await eventually(async () => (await send(app, `retry-${Date.now()}`, 1))[0]!.ok, 10_000);
    expect((await status(app))).toBe('healthy');
    await auditor.stop();
  }, 60_000);
});
