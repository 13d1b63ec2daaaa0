import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccessToken } from '@nexus/auth';
import { silentLogger } from '@nexus/core';
import type { JobRecord } from '@nexus/core';
import { createReferenceApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const secret = randomBytes(48).toString('base64url');
const as = (subject: string, roles: string[], tenant: string) => ({ channel: 'cli', credential: { kind: 'bearer' as const, token: createAccessToken({ subject, key: secret, roles, tenant }) } });

describe('tenant_report', () => {
  it('runs as a job for read:reports holders, with progress per step, visible only to its submitter and tenant admin', async () => {
    const { app } = await createReferenceApp(loadConfig({ NEXUS_JWT_SECRET: secret, NEXUS_AUDIT_FILE: join(tmpdir(), `nexus-report-audit-${process.pid}.log`) }), { logger: silentLogger });
    try {
      const exec = as('eve', ['executive'], 'acme');
      expect((await app.submit({ ...as('dan', ['dpo'], 'acme'), operation: 'tenant_report', input: { days: 7 } })).ok).toBe(false);
      const invalid = await app.submit({ ...exec, operation: 'tenant_report', input: { days: 366 } });
      expect(invalid.ok ? 'ok' : invalid.error.code).toBe('INVALID_INPUT');
      const submitted = await app.submit({ ...exec, operation: 'tenant_report', input: { days: 7 } });
      const { operationId } = (submitted.ok ? submitted.value : {}) as { operationId: string };
      const done = await new Promise<JobRecord>((resolve) => {
        const check = (record: JobRecord | undefined) => record?.status === 'succeeded' && (stop(), resolve(record));
        const stop = app.jobs.subscribe(operationId, check);
        void app.jobs.store.get(operationId).then((job) => check(job?.record));
      });
      expect(done.result).toMatchObject({ tenant_id: 'acme', days: 7, records: 168, generated_at: expect.any(String) });
      expect(done.progress).toEqual({ current: 4, total: 4, message: 'step 4 of 4' });
      const foreign = await app.jobs.get(as('eve', ['executive'], 'globex'), operationId);
      expect(foreign.ok ? 'ok' : foreign.error.code).toBe('NOT_FOUND');
      expect((await app.jobs.get(as('root', ['admin'], 'acme'), operationId)).ok).toBe(true);
    } finally {
      await app.stop();
    }
  });
});
