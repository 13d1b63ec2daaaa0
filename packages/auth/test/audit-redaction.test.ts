import { describe, expect, it } from '@jest/globals';
import type { AuditConfig, AuditRecord } from '../src/audit/index.js';
import { createAuditor } from '../src/audit/index.js';
import { createTestApp } from './rate-limit-support.js';

const SECRET = 's3cr3t-value-XYZ';

function auditedApp(config: AuditConfig = {}) {
  const lines: string[] = [];
  const app = createTestApp();
  // The sink serialises at once, so the test sees exactly what left the process.
  const auditor = createAuditor({ backend: (record: AuditRecord) => void lines.push(JSON.stringify(record)), ...config }, app);
  app.use('observe', auditor.stage, 'audit');
  return { app, lines, records: () => lines.map((line) => JSON.parse(line) as AuditRecord & Record<string, unknown>) };
}

describe('audit redaction', () => {
  it('keeps a secret in a nested body, a query string, a header and a CLI --param out of the sink', async () => {
    const { app, lines, records } = auditedApp({ logRequestBody: true, logResponseBody: true, redactHeaders: ['X-Session'] });
    const input = {
      message: 'hello',
      profile: { name: 'Ann', credentials: [{ password: SECRET }, { apiKey: SECRET }], nested: { deeper: { client_secret: SECRET } } },
    };
    const http = await app.invoke({
      channel: 'api',
      operation: 'echo',
      input,
      credential: { kind: 'bearer', token: 'ann:acme' },
      transport: {
        method: 'POST',
        path: `/workflows/echo/execute?access_token=${SECRET}&page=2`,
        headers: { authorization: `Bearer ${SECRET}`, 'x-api-key': SECRET, 'x-session': SECRET, cookie: `sid=${SECRET}`, 'content-type': 'application/json' },
      },
    });
    expect(http.ok).toBe(true);
    // What `nexus run echo --param message=hi --param password=…` hands to invoke.
    const cli = await app.invoke({ channel: 'cli', operation: 'echo', input: { message: 'hi', password: SECRET }, credential: { kind: 'bearer', token: 'ann:acme' } });
    expect(cli.ok).toBe(true);

    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain(SECRET);
    const [api, cliRecord] = records();
    expect(api!.path).toBe('/workflows/echo/execute?access_token=[REDACTED]&page=2');
    expect(api!.headers).toMatchObject({ authorization: '[REDACTED]', 'x-api-key': '[REDACTED]', 'x-session': '[REDACTED]', cookie: '[REDACTED]', 'content-type': 'application/json' });
    expect(api!.requestBody).toMatchObject({ message: 'hello', profile: { name: 'Ann', credentials: [{ password: '[REDACTED]' }, { apiKey: '[REDACTED]' }] } });
    expect(api!.responseBody).toMatchObject({ profile: { nested: { deeper: { client_secret: '[REDACTED]' } } } });
    expect(cliRecord!.requestBody).toEqual({ message: 'hi', password: '[REDACTED]' });
    // Redaction works on a copy: the caller's input and the handler's result keep their values.
    expect(input.profile.credentials[0]!.password).toBe(SECRET);
    expect((http.ok ? (http.value as typeof input) : input).profile.credentials[0]!.password).toBe(SECRET);
  });

  it('matches field names case-insensitively, uses the configured replacement, and adds to the defaults', async () => {
    const { app, records } = auditedApp({ logRequestBody: true, redactFields: ['diagnosis'], redactReplacement: '***' });
    await app.invoke({ channel: 'api', operation: 'echo', input: { message: 'x', PASSWORD: SECRET, Diagnosis: 'flu', list: [[{ SSN: SECRET }]] } });
    expect(records()[0]!.requestBody).toEqual({ message: 'x', PASSWORD: '***', Diagnosis: '***', list: [[{ SSN: '***' }]] });
  });

  it('logs no bodies unless enabled, and caps logged bodies at maxBodyLogSize', async () => {
    const off = auditedApp();
    await off.app.invoke({ channel: 'api', operation: 'echo', input: { message: 'x' } });
    expect(off.records()[0]).not.toHaveProperty('requestBody');
    expect(off.records()[0]).not.toHaveProperty('responseBody');

    const capped = auditedApp({ logRequestBody: true, maxBodyLogSize: 64 });
    await capped.app.invoke({ channel: 'api', operation: 'echo', input: { message: 'y'.repeat(500), token: SECRET } });
    const record = capped.records()[0]!;
    expect(typeof record.requestBody).toBe('string');
    expect((record.requestBody as string).length).toBe(64);
    expect(record.bodyTruncated).toBe(true);
    expect(capped.lines[0]).not.toContain(SECRET);
  });

  it('survives circular and binary bodies', async () => {
    const { app, records } = auditedApp({ logRequestBody: true });
    const input: Record<string, unknown> = { message: 'x', data: new Uint8Array([1, 2, 3]) };
    input.self = input;
    const result = await app.invoke({ channel: 'api', operation: 'echo', input });
    expect(records()[0]!.requestBody).toMatchObject({ message: 'x', data: '[binary]', self: '[circular]' });
    expect(result.requestId).toBe(records()[0]!.requestId);
  });
});
