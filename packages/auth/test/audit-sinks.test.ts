import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from '@jest/globals';
import { isNexusSetupError } from '@nexus/core';
import type { NexusSetupError } from '@nexus/core';
import winston from 'winston';
import { createAuditor } from '../src/audit/index.js';
import type { AuditConfig, AuditRecord } from '../src/audit/index.js';
import { createTestApp } from './rate-limit-support.js';

const dir = await mkdtemp(join(tmpdir(), 'nexus-audit-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const sinkErrors = async (app: ReturnType<typeof createTestApp>) => (await app.metrics.auditSinkErrors.get()).values[0]?.value ?? 0;

describe('audit sinks', () => {
  it('flushes every record written just before stop to the file', async () => {
    const path = join(dir, 'audit.log');
    const app = createTestApp();
    const auditor = createAuditor({ backend: 'file', path }, app);
    app.use('observe', auditor.stage);
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => app.invoke({ channel: 'api', operation: 'ping', requestId: `file-${i}` })));
    await auditor.stop();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(500);
    const ids = new Set(lines.map((line) => (JSON.parse(line) as AuditRecord).requestId));
    for (const result of results) expect(ids.has(result.requestId)).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', outcome: 'allowed', operation: 'ping' });
  });

  it('stops start-up with a setup error when the audit file cannot be opened', async () => {
    const auditor = createAuditor({ backend: 'file', path: join(dir, 'missing-dir', 'audit.log') }, createTestApp());
    const failure = await auditor.start().then(() => undefined, (error: unknown) => error);
    expect(isNexusSetupError(failure)).toBe(true);
    expect((failure as NexusSetupError).code).toBe('NEXUS_ERR_AUDIT_CONFIG');
    expect((failure as Error).message).toContain('ENOENT');
    await auditor.stop();
    const writable = createAuditor({ backend: 'file', path: join(dir, 'writable.log') }, createTestApp());
    await expect(writable.start()).resolves.toBeUndefined();
    await writable.stop();
  });

  it('writes JSON lines to a winston transport', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const app = createTestApp();
    const auditor = createAuditor({ backend: new winston.transports.Stream({ stream }) }, app);
    app.use('observe', auditor.stage);
    await app.invoke({ channel: 'mcp', operation: 'ping', requestId: 'stream-1', credential: { kind: 'bearer', token: 'expired' } });
    await auditor.stop();
    const record = JSON.parse(chunks.join('').trim()) as AuditRecord & { level: string };
    expect(record).toMatchObject({ level: 'warn', requestId: 'stream-1', channel: 'mcp', status: 401, reason: 'expired' });
  });

  it('never fails or delays a call when the sink throws or rejects; it counts the failure', async () => {
    for (const backend of [() => { throw new Error('disk full'); }, () => Promise.reject(new Error('disk full'))] as Array<NonNullable<AuditConfig['backend']>>) {
      const app = createTestApp();
      const auditor = createAuditor({ backend }, app);
      app.use('observe', auditor.stage);
      const result = await app.invoke({ channel: 'api', operation: 'ping' });
      expect(result.ok).toBe(true);
      await auditor.stop();
      expect(await sinkErrors(app)).toBe(1);
    }
  });

  it('does not wait for a slow sink, but stop() waits for what it has pending', async () => {
    const app = createTestApp();
    let finished = 0;
    // The sink's writes stay pending until the test opens the gate.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const auditor = createAuditor({ backend: () => gate.then(() => { finished++; }) }, app);
    app.use('observe', auditor.stage);
    // The calls answer while every write is still pending: they did not wait for the sink.
    const results = await Promise.all([1, 2, 3].map(() => app.invoke({ channel: 'api', operation: 'ping' })));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(finished).toBe(0);
    let stopped = false;
    const stopping = auditor.stop().then(() => {
      stopped = true;
    });
    // Let stop() run as far as it can on its own: it must still be waiting for the gate.
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    open();
    await stopping;
    expect(finished).toBe(3);
  });

  it.each<[string, AuditConfig]>([
    ['file without a path', { backend: 'file' }],
    ['an unknown backend', { backend: 'syslog' as 'file' }],
    ['an unknown level', { logLevel: 'verbose' as 'info' }],
    ['a negative maxBodyLogSize', { maxBodyLogSize: -1 }],
    ['a snake_case option', { log_request_body: true } as AuditConfig],
    ['excludePaths without a leading slash', { excludePaths: ['health'] }],
  ])('refuses %s at construction with a setup error', (_label, config) => {
    let thrown: unknown;
    try {
      createAuditor(config, createTestApp());
    } catch (error) {
      thrown = error;
    }
    expect(isNexusSetupError(thrown)).toBe(true);
    expect((thrown as NexusSetupError).code).toBe('NEXUS_ERR_AUDIT_CONFIG');
  });
});
