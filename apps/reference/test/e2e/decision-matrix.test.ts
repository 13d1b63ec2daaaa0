import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { httpDriver, inProcessCliDriver, mcpHttpDriver, mcpStdioDriver, remoteCliDriver } from '../support/channels.js';
import type { Caller, ChannelDriver, Outcome } from '../support/channels.js';
import { NEXUS_JS, cleanEnv, killAll, mapLimit, runNode, startApp } from '../support/processes.js';
import type { AppProcess } from '../support/processes.js';
import { mint, mintWith, mintWithHeader, newSecret } from '../support/tokens.js';

const secret = newSecret();
const token = (roles: readonly string[], tenant?: string) => mint(secret, `e2e-${roles.join('+') || 'no-role'}`, roles, tenant);

/** The reference app's callers, all in tenant acme unless a row asks for another. */
const as = {
  admin: { token: token(['admin'], 'acme') },
  developer: { token: token(['developer'], 'acme') },
  operator: { token: token(['operator'], 'acme') },
  executive: { token: token(['executive'], 'acme') },
  dpo: { token: token(['dpo'], 'acme') },
  roleless: { token: token([], 'acme') },
  tenantless: { token: token(['developer']) },
  forged: { token: mint(newSecret(), 'e2e-admin', ['admin'], 'acme') },
  // Claims narrow what roles grant, never widen it.
  selfGranted: { token: mintWith(secret, 'e2e-self-granted', [], 'acme', { permissions: ['*'] }) },
  scopedDeveloper: { token: mintWith(secret, 'e2e-scoped-developer', ['developer'], 'acme', { scope: 'delete:personal_data write:*' }) },
  scopedDpo: { token: mintWith(secret, 'e2e-scoped-dpo', ['dpo'], 'acme', { scp: ['read:personal_data'] }) },
  // RFC 7515: a crit header naming an extension the verifier does not implement.
  // Identifiers: a lone surrogate would make two ids one key in Redis; U+FFFD is a different id.
  surrogateSubject: { token: mint(secret, 'e2e-vic\ud800', ['developer'], 'acme') },
  surrogateTenant: { token: mint(secret, 'e2e-surrogate-tenant', ['developer'], 'acme\ud800') },
  cjkTenant: { token: mint(secret, 'e2e-cjk', ['developer'], '租户-a') },
  critical: { token: mintWithHeader(secret, 'e2e-critical', ['admin'], 'acme', { crit: ['urn:example:ext'], 'urn:example:ext': true }) },
  anonymous: {},
} satisfies Record<string, Caller>;

interface Row {
  readonly who: keyof typeof as;
  readonly tenant?: string;
  readonly operation: string;
  readonly input: unknown;
  readonly expect: string;
  /** A field of the result that must hold this value (a path into the result). */
  readonly check?: readonly [path: string, value: unknown];
}

const MATRIX: readonly Row[] = [
  { who: 'admin', operation: 'echo', input: { message: 'hi' }, expect: 'ok', check: ['message', 'hi'] },
  { who: 'developer', operation: 'echo', input: { message: 'hi' }, expect: 'ok', check: ['message', 'hi'] },
  { who: 'executive', operation: 'echo', input: { message: 'hi' }, expect: 'FORBIDDEN' },
  { who: 'roleless', operation: 'echo', input: { message: 'hi' }, expect: 'FORBIDDEN' },
  { who: 'anonymous', operation: 'echo', input: { message: 'hi' }, expect: 'UNAUTHENTICATED' },
  { who: 'forged', operation: 'echo', input: { message: 'hi' }, expect: 'UNAUTHENTICATED' },
  { who: 'developer', operation: 'echo', input: { message: 42 }, expect: 'INVALID_INPUT' },
  { who: 'developer', operation: 'no_such_operation', input: {}, expect: 'NOT_FOUND' },
  { who: 'operator', operation: 'deep_health', input: {}, expect: 'ok', check: ['status', 'healthy'] },
  { who: 'executive', operation: 'system_status', input: {}, expect: 'FORBIDDEN' },
  { who: 'developer', operation: 'tenant_data_processing', input: { customer_id: 'c-1' }, expect: 'ok', check: ['tenant_id', 'acme'] },
  { who: 'developer', tenant: 'globex', operation: 'tenant_data_processing', input: { customer_id: 'c-1' }, expect: 'TENANT_ACCESS_DENIED' },
  { who: 'admin', tenant: 'globex', operation: 'tenant_data_processing', input: { customer_id: 'c-1' }, expect: 'ok', check: ['tenant_id', 'globex'] },
  { who: 'tenantless', operation: 'tenant_workflow', input: {}, expect: 'TENANT_REQUIRED' },
  { who: 'developer', operation: 'tenant_workflow', input: { compliance_level: 'hipaa' }, expect: 'ok', check: ['process_tenant_data.tenant_id', 'acme'] },
  { who: 'dpo', operation: 'gdpr_export_user_data', input: { user_id: 'u-1' }, expect: 'ok', check: ['tenant_id', 'acme'] },
  { who: 'dpo', operation: 'customer_upsert', input: { user_id: 'u-1', profile: {} }, expect: 'FORBIDDEN' },
  { who: 'selfGranted', operation: 'gdpr_export_user_data', input: { user_id: 'u-1' }, expect: 'FORBIDDEN' },
  { who: 'scopedDeveloper', operation: 'gdpr_delete_user_data', input: { user_id: 'u-1' }, expect: 'FORBIDDEN' },
  { who: 'scopedDeveloper', operation: 'echo', input: { message: 'hi' }, expect: 'FORBIDDEN' },
  { who: 'scopedDeveloper', operation: 'customer_upsert', input: { user_id: 'u-scoped', profile: {} }, expect: 'ok', check: ['tenant_id', 'acme'] },
  { who: 'scopedDpo', operation: 'gdpr_delete_user_data', input: { user_id: 'u-1' }, expect: 'FORBIDDEN' },
  { who: 'scopedDpo', operation: 'gdpr_export_user_data', input: { user_id: 'u-1' }, expect: 'ok', check: ['tenant_id', 'acme'] },
  { who: 'critical', operation: 'echo', input: { message: 'hi' }, expect: 'UNAUTHENTICATED' },
  // The tenant-bound input field: process_tenant_data(tenant_id, customer_id) ported literally.
  { who: 'developer', operation: 'tenant_data_processing', input: { tenant_id: 'globex', customer_id: 'c-1' }, expect: 'TENANT_ACCESS_DENIED' },
  { who: 'developer', operation: 'tenant_data_processing', input: { tenant_id: 'acme', customer_id: 'c-1' }, expect: 'ok', check: ['tenant_id', 'acme'] },
  { who: 'admin', operation: 'tenant_data_processing', input: { tenant_id: 'globex', customer_id: 'c-1' }, expect: 'TENANT_ACCESS_DENIED' },
  { who: 'admin', tenant: 'globex', operation: 'tenant_data_processing', input: { tenant_id: 'globex', customer_id: 'c-1' }, expect: 'ok', check: ['tenant_id', 'globex'] },
  { who: 'admin', tenant: 'globex', operation: 'tenant_data_processing', input: { tenant_id: 'acme', customer_id: 'c-1' }, expect: 'TENANT_ACCESS_DENIED' },
  // Identifiers and input strings.
  { who: 'surrogateSubject', operation: 'echo', input: { message: 'hi' }, expect: 'UNAUTHENTICATED' },
  { who: 'surrogateTenant', operation: 'echo', input: { message: 'hi' }, expect: 'UNAUTHENTICATED' },
  { who: 'developer', operation: 'customer_upsert', input: { user_id: 'vic\ud800', profile: {} }, expect: 'INVALID_INPUT' },
  { who: 'developer', operation: 'customer_upsert', input: { user_id: 'vic', profile: { note: 'x\udc00' } }, expect: 'INVALID_INPUT' },
  { who: 'cjkTenant', operation: 'customer_upsert', input: { user_id: 'u-cjk', profile: {} }, expect: 'ok', check: ['tenant_id', '租户-a'] },
  // Inputs parse the same everywhere: depth and reserved keys.
  { who: 'developer', operation: 'customer_upsert', input: { user_id: 'u-deep', profile: nested(64) }, expect: 'INVALID_INPUT' },
  { who: 'developer', operation: 'customer_upsert', input: { user_id: 'u-deep', profile: nested(500) }, expect: 'INVALID_INPUT' },
  { who: 'developer', operation: 'customer_upsert', input: { user_id: 'u-ok', profile: nested(62) }, expect: 'ok', check: ['tenant_id', 'acme'] },
  { who: 'developer', operation: 'customer_upsert', input: JSON.parse('{"user_id":"u-proto","profile":{},"__proto__":{"admin":true}}'), expect: 'INVALID_INPUT' },
  { who: 'developer', operation: 'customer_upsert', input: JSON.parse('{"user_id":"u-proto","profile":{"__proto__":{"admin":true}}}'), expect: 'INVALID_INPUT' },
  { who: 'developer', operation: 'customer_upsert', input: { user_id: 'u-ctor', profile: { constructor: 'x' } }, expect: 'INVALID_INPUT' },
];

/** `{ next: { next: ... } }`, `levels` objects deep. */
function nested(levels: number): Record<string, unknown> {
  let node: Record<string, unknown> = {};
  for (let level = 1; level < levels; level++) node = { next: node };
  return node;
}

const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), value);

const describeRow = (row: Row) => `${row.who}${row.tenant ? ` as ${row.tenant}` : ''} → ${row.operation} ${JSON.stringify(row.input).slice(0, 100)} ⇒ ${row.expect}`;

let server: AppProcess;
const drivers: Record<string, () => ChannelDriver> = {
  'HTTP': () => httpDriver(server.api),
  'remote CLI': () => remoteCliDriver(server.api),
  'in-process CLI': () => inProcessCliDriver(secret),
  'MCP over Streamable HTTP': () => mcpHttpDriver(server.mcp),
  'MCP over stdio': () => mcpStdioDriver(secret),
};

beforeAll(async () => {
  server = await startApp({ NEXUS_JWT_SECRET: secret });
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await killAll();
});

describe.each(Object.keys(drivers))('the decision matrix over %s', (channel) => {
  let outcomes: Outcome[] = [];
  let driver: ChannelDriver | undefined;

  beforeAll(async () => {
    driver = drivers[channel]!();
    const callerOf = (row: Row): Caller => ({ ...as[row.who], ...(row.tenant ? { tenant: row.tenant } : {}) });
    outcomes = await mapLimit(MATRIX, driver.concurrency, (row) =>
      driver!.call(callerOf(row), row.operation, row.input).catch((error: unknown) => ({ code: `threw: ${String(error)}` })),
    );
    // Only a backstop: over a CLI every row is a spawned process, minutes' worth on a loaded machine.
  }, 300_000);

  afterAll(async () => {
    await driver?.close();
  });

  it.each(MATRIX.map((row, index) => [describeRow(row), index] as const))('%s', (_name, index) => {
    const row = MATRIX[index]!;
    const outcome = outcomes[index]!;
    expect(outcome.code).toBe(row.expect);
    if (row.check) expect(at(outcome.value, row.check[0])).toEqual(row.check[1]);
  });
});

/** The operations `/openapi.json` documents for a caller. */
async function documented(caller: Caller): Promise<string[]> {
  const response = await fetch(`${server.api}/openapi.json`, { headers: caller.token ? { authorization: `Bearer ${caller.token}` } : {}, signal: AbortSignal.timeout(5_000) });
  expect(response.status).toBe(200);
  const { paths } = (await response.json()) as { paths: Record<string, unknown> };
  return Object.keys(paths).filter((path) => path.endsWith('/execute')).map((path) => path.split('/')[2]!).sort();
}

/** The reference app's roles against the operations table: what `list` must show each caller. */
const VISIBLE: ReadonlyArray<readonly [keyof typeof as, readonly string[]]> = [
  // read:* covers read:personal_data, so operators may export (the RBAC wildcard grammar).
  ['operator', ['deep_health', 'gdpr_export_user_data', 'system_status', 'tenant_report']],
  ['dpo', ['gdpr_delete_user_data', 'gdpr_export_user_data']],
  ['executive', ['tenant_report']],
  ['developer', ['customer_upsert', 'deep_health', 'echo', 'gdpr_export_user_data', 'system_status', 'tenant_data_processing', 'tenant_report', 'tenant_workflow']],
];

describe('the catalogue shows each role only what it may call', () => {
  it.each(VISIBLE)('%s over GET /workflows, /openapi.json and MCP tools/list', async (who, expected) => {
    const caller: Caller = as[who];
    const response = await fetch(`${server.api}/workflows`, { headers: { authorization: `Bearer ${caller.token}` }, signal: AbortSignal.timeout(5_000) });
    const overHttp = ((await response.json()) as { workflows: Array<{ name: string }> }).workflows.map((entry) => entry.name).sort();
    expect(overHttp).toEqual(expected);
    expect(await documented(caller)).toEqual(expected);
    const client = new Client({ name: 'e2e-catalogue', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.mcp), { requestInit: { headers: { authorization: `Bearer ${caller.token}` } } }));
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(expected);
    } finally {
      await client.close();
    }
  });
});

describe('anonymous discovery shows only public operations (the reference app has none)', () => {
  it('over /openapi.json and GET /workflows', async () => {
    expect(await documented({})).toEqual([]);
    const response = await fetch(`${server.api}/workflows`, { signal: AbortSignal.timeout(5_000) });
    expect(((await response.json()) as { workflows: unknown[] }).workflows).toEqual([]);
  });

  it('over the CLI: list as the developer matches GET /workflows', async () => {
    const done = await runNode(NEXUS_JS, ['--url', server.api, '--token', as.developer.token, '--output', 'json', 'list'], { env: cleanEnv(), timeoutMs: 15_000 });
    expect(done.code).toBe(0);
    expect((JSON.parse(done.stdout) as Array<{ name: string }>).map((entry) => entry.name).sort()).toEqual(VISIBLE.find(([who]) => who === 'developer')![1]);
  }, 20_000);
});

describe('the server under the matrix', () => {
  it('is still running after every channel had its turn (its stderr shows here if not)', () => {
    const state = { exitCode: server.child.exitCode, signalCode: server.child.signalCode };
    expect({ ...state, stderr: state.exitCode === null && state.signalCode === null ? '' : server.stderr().slice(-4000) }).toEqual({ exitCode: null, signalCode: null, stderr: '' });
  });
});
