import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { checkMetricsWithPromtool } from '../support/promtool.js';
import { killAll, startApp } from '../support/processes.js';
import type { AppProcess, Exit } from '../support/processes.js';
import { mint, newSecret } from '../support/tokens.js';

const secret = newSecret();
const run = randomUUID().slice(0, 8);
const userId = `user-${run}`;
const password = `pw-${randomUUID()}`;
const tokens = {
  devA: mint(secret, `dev-a-${run}`, ['developer'], 'tenant-a'),
  devB: mint(secret, `dev-b-${run}`, ['developer'], 'tenant-b'),
  dpoA: mint(secret, `dpo-a-${run}`, ['dpo'], 'tenant-a'),
  dpoB: mint(secret, `dpo-b-${run}`, ['dpo'], 'tenant-b'),
  adminA: mint(secret, `admin-a-${run}`, ['admin'], 'tenant-a'),
  executiveA: mint(secret, `exec-a-${run}`, ['executive'], 'tenant-a'),
};

interface Reply {
  status: number;
  body: { result?: Record<string, unknown>; code?: string; requestId?: string };
  requestId: string;
}

interface AuditRecord {
  requestId: string;
  channel: string;
  operation: string;
  status: number;
  outcome: string;
  principal: string | null;
  tenant: string | null;
  tenantOverride: boolean;
  headers?: Record<string, string>;
}

let dir = '';
let server: AppProcess;
let exit: Exit;
let audit = '';
let records: AuditRecord[] = [];
let metrics = '';
const health: Record<string, { status: number; body: { status?: string; checks?: Record<string, unknown> } }> = {};
const replies: Record<string, Reply> = {};

/** One HTTP call with our own request id, so its audit record can be found. */
async function call(label: string, operation: string, inputs: unknown, token?: string, tenant?: string): Promise<Reply> {
  const requestId = `${label}-${run}`;
  const response = await fetch(`${server.api}/workflows/${operation}/execute`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': requestId,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(tenant ? { 'x-tenant-id': tenant } : {}),
    },
    body: JSON.stringify({ inputs }),
    signal: AbortSignal.timeout(10_000),
  });
  const reply = { status: response.status, body: (await response.json()) as Reply['body'], requestId };
  replies[label] = reply;
  return reply;
}

const recordsOf = (requestId: string) => records.filter((record) => record.requestId === requestId);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nexus-e2e-audit-'));
  const auditFile = join(dir, 'audit.jsonl');
  server = await startApp({ NEXUS_JWT_SECRET: secret, NEXUS_AUDIT_FILE: auditFile });

  // Order matters: each step reads what the previous ones stored.
  await call('upsert-a', 'customer_upsert', { user_id: userId, profile: { name: 'Ada A', password } }, tokens.devA);
  await call('upsert-b', 'customer_upsert', { user_id: userId, profile: { name: 'Bob B' } }, tokens.devB);
  await call('export-a', 'gdpr_export_user_data', { user_id: userId }, tokens.dpoA);
  await call('delete-a', 'gdpr_delete_user_data', { user_id: userId }, tokens.dpoA);
  await call('export-a-after', 'gdpr_export_user_data', { user_id: userId }, tokens.dpoA);
  await call('export-b-after', 'gdpr_export_user_data', { user_id: userId }, tokens.dpoB);
  await call('admin-override-b', 'gdpr_export_user_data', { user_id: userId }, tokens.adminA, 'tenant-b');
  await call('dpo-a-asks-b', 'gdpr_export_user_data', { user_id: userId }, tokens.dpoA, 'tenant-b');
  // Refusals, each carrying the secret too: none of them may leak it into the audit file.
  await call('forbidden', 'customer_upsert', { user_id: userId, profile: { password } }, tokens.executiveA);
  await call('anonymous', 'customer_upsert', { user_id: userId, profile: { password } });
  await call('invalid', 'customer_upsert', { user_id: userId, profile: { password }, extra: true }, tokens.devA);

  const mcp = new Client({ name: 'e2e-audit', version: '1.0.0' });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(server.mcp), { requestInit: { headers: { authorization: `Bearer ${tokens.devA}` } } }));
  await mcp.callTool({ name: 'echo', arguments: { message: 'over mcp' }, _meta: { 'nexus/requestId': `mcp-echo-${run}` } });
  await mcp.close();

  for (const path of ['/health', '/health/live', '/health/ready']) {
    const response = await fetch(`${server.api}${path}`, { signal: AbortSignal.timeout(5_000) });
    health[path] = { status: response.status, body: (await response.json()) as (typeof health)[string]['body'] };
  }
  metrics = await (await fetch(`${server.api}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();

  // Stopping flushes the audit sink, so the file is complete when read.
  exit = await server.stop('SIGTERM');
  audit = readFileSync(auditFile, 'utf8');
  records = audit.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditRecord);
}, 60_000);

afterAll(async () => {
  await killAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('GDPR operations stay inside the caller\'s tenant', () => {
  it('stores the same user id separately in each tenant', () => {
    expect(replies['upsert-a']!.body.result).toMatchObject({ user_id: userId, tenant_id: 'tenant-a', version: 1 });
    expect(replies['upsert-b']!.body.result).toMatchObject({ user_id: userId, tenant_id: 'tenant-b', version: 1 });
  });

  it('exports only the records of the dpo\'s own tenant', () => {
    const result = replies['export-a']!.body.result!;
    expect(result.tenant_id).toBe('tenant-a');
    expect(result.records).toEqual([expect.objectContaining({ version: 1, profile: { name: 'Ada A', password } })]);
  });

  it('deletes in the dpo\'s tenant and leaves the other tenant\'s records', () => {
    expect(replies['delete-a']!.body.result).toEqual({ user_id: userId, deleted: 1, gdpr_article: '17' });
    expect(replies['export-a-after']!.body.result!.records).toEqual([]);
    const b = replies['export-b-after']!.body.result!;
    expect(b.tenant_id).toBe('tenant-b');
    expect(b.records).toEqual([expect.objectContaining({ profile: { name: 'Bob B' } })]);
  });

  it('lets an admin reach another tenant with X-Tenant-ID, and audits it as an override', () => {
    const reply = replies['admin-override-b']!;
    expect(reply.status).toBe(200);
    expect(reply.body.result).toMatchObject({ tenant_id: 'tenant-b', records: [expect.objectContaining({ profile: { name: 'Bob B' } })] });
    expect(recordsOf(reply.requestId)).toEqual([expect.objectContaining({ tenant: 'tenant-b', tenantOverride: true, outcome: 'allowed' })]);
  });

  it('refuses the same header from a dpo, and audits the refusal', () => {
    const reply = replies['dpo-a-asks-b']!;
    expect(reply.status).toBe(403);
    expect(reply.body.code).toBe('TENANT_ACCESS_DENIED');
    expect(recordsOf(reply.requestId)).toEqual([expect.objectContaining({ outcome: 'denied', status: 403 })]);
  });
});

describe('the audit file', () => {
  it('holds exactly one record per call, stamped with the caller\'s request id', () => {
    for (const [label, reply] of Object.entries(replies)) {
      expect([label, recordsOf(reply.requestId).length]).toEqual([label, 1]);
      expect(reply.body.requestId).toBe(reply.requestId);
    }
    const mcpRecords = recordsOf(`mcp-echo-${run}`);
    expect(mcpRecords).toEqual([expect.objectContaining({ channel: 'mcp', operation: 'echo', outcome: 'allowed', principal: `dev-a-${run}` })]);
    // Health, metrics and readiness probes are excluded; nothing else was called.
    expect(records).toHaveLength(Object.keys(replies).length + 1);
  });

  it('writes records for refusals and invalid input too', () => {
    expect(recordsOf(replies.forbidden!.requestId)).toEqual([expect.objectContaining({ outcome: 'denied', status: 403, principal: `exec-a-${run}` })]);
    expect(recordsOf(replies.anonymous!.requestId)).toEqual([expect.objectContaining({ outcome: 'denied', status: 401, principal: null })]);
    expect(recordsOf(replies.invalid!.requestId)).toEqual([expect.objectContaining({ outcome: 'invalid', status: 400 })]);
  });

  it('never contains the password from a profile or any bearer token', () => {
    expect(audit).toContain(`upsert-a-${run}`);
    expect(audit).not.toContain(password);
    for (const token of Object.values(tokens)) expect(audit).not.toContain(token);
    const withAuthorization = records.filter((record) => record.headers?.authorization !== undefined);
    expect(withAuthorization.length).toBeGreaterThan(0);
    for (const record of withAuthorization) expect(record.headers!.authorization).toBe('[REDACTED]');
  });

  it('is flushed by a graceful stop that exits 0', () => {
    expect(exit).toEqual({ code: 0, signal: null });
  });
});

describe('observability of the running app', () => {
  it('serves /metrics that promtool accepts, counting the calls by channel and outcome', async () => {
    const check = await checkMetricsWithPromtool(metrics);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(metrics).toMatch(/nexus_requests_total\{[^}]*channel="api"[^}]*operation="customer_upsert"[^}]*outcome="allowed"[^}]*\} 2\b/);
    expect(metrics).toMatch(/nexus_requests_total\{[^}]*channel="api"[^}]*operation="customer_upsert"[^}]*outcome="denied"[^}]*\} 2\b/);
    expect(metrics).toMatch(/nexus_requests_total\{[^}]*channel="mcp"[^}]*operation="echo"[^}]*outcome="allowed"[^}]*\} 1\b/);
    expect(metrics).toMatch(/nexus_auth_failures_total\{[^}]*channel="api"[^}]*\} [1-9]/);
  });

  it('reports healthy on /health with the record store checked, and ready and live probes', () => {
    expect(health['/health']).toMatchObject({ status: 200, body: { status: 'healthy' } });
    expect(Object.keys(health['/health']!.body.checks ?? {})).toContain('record-store');
    expect(health['/health/live']!.status).toBe(200);
    expect(health['/health/ready']!.status).toBe(200);
  });
});
