import { afterEach, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createAuditor } from '../src/audit/index.js';
import type { AuditRecord } from '../src/audit/index.js';
import { createTestApp } from './rate-limit-support.js';

const apps: Nexus[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

describe('audit of jobs', () => {
  it('writes one record at submission and one at completion, under the same request id', async () => {
    const records: AuditRecord[] = [];
    const app = createTestApp();
    apps.push(app);
    let completed!: () => void;
    const done = new Promise<void>((resolve) => (completed = resolve));
    app.use('observe', createAuditor({ backend: (record) => {
      records.push(record);
      if (record.phase === 'completed') completed();
    } }, app).stage, 'audit');
    const submitted = await app.submit({ channel: 'api', operation: 'ping', credential: { kind: 'bearer', token: 'alice:acme:caller' }, requestId: 'req-job' });
    expect(submitted.ok).toBe(true);
    await done;
    const operationId = (submitted.ok ? submitted.value : undefined) as { operationId: string };
    expect(records).toEqual([
      expect.objectContaining({ requestId: 'req-job', operation: 'ping', phase: 'submitted', operationId: operationId.operationId, principal: 'alice', tenant: 'acme', status: 200 }),
      expect.objectContaining({ requestId: 'req-job', operation: 'ping', phase: 'completed', operationId: operationId.operationId, principal: 'alice', tenant: 'acme', status: 200, outcome: 'allowed' }),
    ]);
  });
});
