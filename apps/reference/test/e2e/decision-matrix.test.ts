import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpDriver, inProcessCliDriver, mcpHttpDriver, mcpStdioDriver, remoteCliDriver } from '../support/channels.js';
import type { Caller, ChannelDriver, Outcome } from '../support/channels.js';
import { killAll, mapLimit, startApp } from '../support/processes.js';
import type { AppProcess } from '../support/processes.js';
import { mint, newSecret } from '../support/tokens.js';

const secret = newSecret();
const token = (roles: readonly string[], tenant?: string) => mint(secret, `e2e-${roles.join('+') || 'no-role'}`, roles, tenant);

/** The callers of DESIGN §11, all in tenant acme unless a row asks for another. */
const as = {
  admin: { token: token(['admin'], 'acme') },
  developer: { token: token(['developer'], 'acme') },
  operator: { token: token(['operator'], 'acme') },
  executive: { token: token(['executive'], 'acme') },
  dpo: { token: token(['dpo'], 'acme') },
  roleless: { token: token([], 'acme') },
  tenantless: { token: token(['developer']) },
  forged: { token: mint(newSecret(), 'e2e-admin', ['admin'], 'acme') },
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
];

const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), value);

const describeRow = (row: Row) => `${row.who}${row.tenant ? ` as ${row.tenant}` : ''} → ${row.operation} ${JSON.stringify(row.input)} ⇒ ${row.expect}`;

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
  }, 60_000);

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
