import { mkdtempSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { AuditFileWriter } from '../src/audit/file-writer.js';
import type { AuditDropReason } from '../src/audit/file-writer.js';

const line = (n: number) => `${JSON.stringify({ n })}\n`;
const numbers = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n').filter(Boolean).map((text) => (JSON.parse(text) as { n: number }).n);
const turn = () => new Promise((resolve) => setImmediate(resolve));

function writer(path: string, options: ConstructorParameters<typeof AuditFileWriter>[2] = {}) {
  const drops: { reason: AuditDropReason; count: number }[] = [];
  const file = new AuditFileWriter(path, { dropped: (reason, count) => void drops.push({ reason, count }), recovered: () => {} }, options);
  return { file, drops };
}

describe('audit file writer', () => {
  it('appends every record, in order, and has them all on disk once closed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nexus-audit-')), 'audit.log');
    writeFileSync(path, line(-1));
    const { file, drops } = writer(path);
    for (let n = 0; n < 10_000; n++) file.write(line(n));
    await turn();
    for (let n = 10_000; n < 10_500; n++) file.write(line(n));
    await file.close();
    expect(numbers(path)).toEqual(Array.from({ length: 10_501 }, (_, i) => i - 1));
    expect(drops).toEqual([]);
  });

  it('writes records in any script byte for byte, in small batches and in one larger than a megabyte', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nexus-audit-')), 'audit.log');
    const { file, drops } = writer(path);
    const text = (n: number) => `${JSON.stringify({ n, who: 'Zoë 東京 🚀', note: 'x'.repeat(n % 7) })}\n`;
    const small = Array.from({ length: 3 }, (_, n) => text(n));
    for (const record of small) file.write(record);
    await file.flush();
    const large = Array.from({ length: 40_000 }, (_, n) => text(n));
    for (const record of large) file.write(record);
    await file.close();
    expect(readFileSync(path, 'utf8')).toBe([...small, ...large].join(''));
    expect(drops).toEqual([]);
  });

  it('drops and counts records instead of buffering past its cap', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nexus-audit-')), 'audit.log');
    const { file, drops } = writer(path, { maxPendingBytes: 0 });
    for (let n = 0; n < 50; n++) file.write(line(n));
    await file.close();
    const lost = drops.reduce((sum, drop) => sum + drop.count, 0);
    expect(lost).toBeGreaterThan(0);
    expect(drops.every((drop) => drop.reason === 'overflow')).toBe(true);
    expect(numbers(path).length + lost).toBe(50);
  });

  it('counts records written after close as dropped, never silently ignored', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nexus-audit-')), 'audit.log');
    const { file, drops } = writer(path);
    await file.close();
    file.write(line(1));
    expect(drops).toEqual([{ reason: 'closed', count: 1 }]);
  });

  it.each([
    ['renamed', (path: string) => renameSync(path, `${path}.1`)],
    ['deleted', (path: string) => unlinkSync(path)],
  ])('notices a %s file and creates a new one at the path', async (_label, move) => {
    const path = join(mkdtempSync(join(tmpdir(), 'nexus-audit-')), 'audit.log');
    const { file } = writer(path, { checkIntervalMs: 0 });
    file.write(line(1));
    await file.flush();
    const moved = readFileSync(path, 'utf8');
    move(path);
    file.write(line(2));
    await file.close();
    expect(moved).toBe(line(1));
    expect(numbers(path)).toEqual([2]);
  });

  it('reopen() moves later records to a new file at the path (logrotate create mode)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nexus-audit-')), 'audit.log');
    // A long check interval: only reopen() may move the records.
    const { file } = writer(path, { checkIntervalMs: 60_000 });
    file.write(line(1));
    await file.flush();
    renameSync(path, `${path}.1`);
    file.write(line(2));
    await file.flush();
    // Until it is told, the writer still appends to the renamed file (as logrotate expects).
    await file.reopen();
    file.write(line(3));
    await file.close();
    expect(numbers(`${path}.1`)).toEqual([1, 2]);
    expect(numbers(path)).toEqual([3]);
  });
});
