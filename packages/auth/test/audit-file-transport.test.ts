import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import { BatchedFileTransport } from '../src/audit/file-transport.js';

const MESSAGE = Symbol.for('message');
const line = (n: number) => ({ level: 'info', message: 'audit', n, [MESSAGE]: JSON.stringify({ n }) });

function ended(transport: BatchedFileTransport): Promise<void> {
  return new Promise((resolve) => {
    transport.once('finish', () => resolve());
    transport.end();
  });
}

describe('batched audit file transport', () => {
  it('appends every record, in order, and has them all on disk when it finishes', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nexus-audit-')), 'audit.log');
    writeFileSync(path, '{"n":-1}\n');
    const transport = new BatchedFileTransport({ filename: path });
    for (let n = 0; n < 10_000; n++) transport.write(line(n));
    await new Promise((resolve) => setImmediate(resolve));
    for (let n = 10_000; n < 10_500; n++) transport.write(line(n));
    await ended(transport);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((text) => (JSON.parse(text) as { n: number }).n);
    expect(lines).toEqual(Array.from({ length: 10_501 }, (_, i) => i - 1));
  });

  it('drops records and reports an error instead of buffering past its cap', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nexus-audit-')), 'audit.log');
    const transport = new BatchedFileTransport({ filename: path, maxPendingBytes: 0 });
    const errors: Error[] = [];
    transport.on('error', (error: Error) => errors.push(error));
    // The first batch goes out on the next turn; while the file still owes it, the cap is exceeded.
    transport.write(line(1));
    await new Promise((resolve) => setImmediate(resolve));
    for (let n = 2; n < 50; n++) transport.write(line(n));
    await ended(transport);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.message).toContain('dropped');
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean).length).toBe(49 - errors.length);
  });

  it('works as a winston transport', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nexus-audit-')), 'audit.log');
    const transport = new BatchedFileTransport({ filename: path });
    const logger = winston.createLogger({ format: winston.format.json(), transports: [transport] });
    logger.info('audit', { requestId: 'r1' });
    const finished = new Promise((resolve) => transport.once('finish', resolve));
    logger.end();
    await finished;
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ message: 'audit', requestId: 'r1' });
  });
});
