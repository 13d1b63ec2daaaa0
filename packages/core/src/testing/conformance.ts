import assert from 'node:assert/strict';
import type { ChannelUnderTest, ConformanceDriver, ConformanceOutcome } from './driver.js';
import { CONFORMANCE_LIMITED_CALLS, CONFORMANCE_SECRET, createConformanceApp } from './fixtures.js';
import { inputRuleCases, oversizeCase } from './input-cases.js';
import type { ConformanceApp, ConformanceAuth } from './fixtures.js';

type Body = () => Promise<void>;
/** The slice of a test framework the suite needs (Jest, Vitest and node:test all fit). */
export interface TestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: Body, timeout?: number): void;
  beforeAll(body: Body, timeout?: number): void;
  afterAll(body: Body, timeout?: number): void;
}

export interface ConformanceOptions {
  /** Fills in the authentication, authorization and rate-limit cases. */
  readonly auth?: ConformanceAuth;
  /** Defaults to the runner's globals. */
  readonly test?: TestApi;
}

function expectOk(outcome: ConformanceOutcome): unknown {
  assert.ok(outcome.ok, `expected success, got ${outcome.ok ? '' : outcome.code}: ${outcome.raw}`);
  return outcome.value;
}

function expectError(outcome: ConformanceOutcome, code: string): Extract<ConformanceOutcome, { ok: false }> {
  assert.ok(!outcome.ok, `expected ${code}, got success: ${outcome.raw}`);
  assert.equal(outcome.code, code, `expected ${code}: ${outcome.raw}`);
  return outcome;
}

/** Polls a condition; the deadline only stops a broken channel from hanging the suite. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function connectFor(target: ChannelUnderTest, test: TestApi, auth?: ConformanceAuth) {
  const state: { driver?: ConformanceDriver; fixture?: ConformanceApp } = {};
  test.beforeAll(async () => {
    state.fixture = createConformanceApp(auth ? { auth } : {});
    state.driver = await target.connect(state.fixture.app);
  }, 30_000);
  test.afterAll(async () => {
    await state.driver?.close();
    await state.fixture?.app.stop();
  }, 30_000);
  return () => state.driver!;
}

function basicCases(target: ChannelUnderTest, test: TestApi, auth?: ConformanceAuth): void {
  const driver = connectFor(target, test, auth);
  const token = async () => (auth ? auth.token({ id: 'user-1', roles: ['caller'], tenant: 'tenant-a' }) : undefined);
  const call = async (operation: string, input: unknown = {}, extra: { requestId?: string; signal?: AbortSignal } = {}) => {
    const bearer = await token();
    return driver().invoke({ operation, input, ...(bearer === undefined ? {} : { token: bearer }), ...extra });
  };

  test.it('runs an operation and returns its result', async () => {
    assert.deepEqual(expectOk(await call('echo', { message: 'héllo ✓' })), { message: 'héllo ✓' });
  });
  if (target.requestIds !== false) {
    test.it("echoes the caller's request id", async () => {
      const outcome = await call('whoami', {}, { requestId: 'conformance-req-1' });
      expectOk(outcome);
      assert.equal(outcome.requestId, 'conformance-req-1');
      assert.equal((outcome as { value: { requestId: string } }).value.requestId, 'conformance-req-1');
    });
  }
  test.it('refuses wrong types and extra fields with INVALID_INPUT listing each field path', async () => {
    const outcome = expectError(await call('strict_echo', { count: 'three', tags: [1], extra: true }), 'INVALID_INPUT');
    const paths = (outcome.errors ?? []).map((error) => error.path);
    assert.ok(paths.includes('count'), `paths: ${paths.join(',')}`);
    assert.ok(paths.includes('tags.0'), `paths: ${paths.join(',')}`);
    assert.ok(outcome.raw.includes('extra'), 'the unexpected key is named');
  });
  test.it('refuses missing fields with INVALID_INPUT', async () => {
    const outcome = expectError(await call('echo', {}), 'INVALID_INPUT');
    assert.deepEqual(outcome.errors?.map((error) => error.path), ['message']);
  });
  inputRuleCases(test, (operation, input) => call(operation, input), driver, token);
  if (target.maxInputBytes !== undefined) oversizeCase(test, driver, token, target.maxInputBytes);
  test.it('answers NOT_FOUND for an unknown operation', async () => {
    expectError(await call('no_such_operation'), 'NOT_FOUND');
  });
  test.it('hides the cause of an internal error', async () => {
    const outcome = expectError(await call('explode'), 'INTERNAL');
    assert.ok(!outcome.raw.includes(CONFORMANCE_SECRET), 'the secret leaked');
    assert.ok(!/at .+:\d+:\d+/.test(outcome.raw), 'a stack trace leaked');
    assert.ok(outcome.requestId, 'internal errors carry a request id to quote');
  });
  test.it('answers INTERNAL, without the value, when a result does not match the output schema', async () => {
    const outcome = expectError(await call('misshaped'), 'INTERNAL');
    assert.ok(!outcome.raw.includes(CONFORMANCE_SECRET), 'the mismatching value leaked');
    assert.ok(outcome.requestId, 'the caller gets a request id to quote');
  });
  test.it('answers TIMEOUT when an operation passes its deadline', async () => {
    expectError(await call('slow'), 'TIMEOUT');
  });
  if (target.cancellation !== false) {
    test.it("cancels the handler when the caller cancels", async () => {
      const probe = async () => expectOk(await call('cancellations')) as { count: number; started: number };
      const controller = new AbortController();
      if (target.sharedApp === false) {
        // Each call meets a new app, so there is no handler to watch: only the answer is checked.
        const outcome = call('wait_for_cancel', {}, { signal: controller.signal });
        controller.abort();
        expectError(await outcome, 'CANCELLED');
        return;
      }
      const before = await probe();
      let ended = false;
      const outcome = call('wait_for_cancel', {}, { signal: controller.signal }).finally(() => {
        ended = true;
      });
      outcome.catch(() => {}); // awaited below; a failure must not surface as unhandled meanwhile
      // Cancel only once the call has reached its handler, however slow the machine or channel.
      await eventually(async () => {
        if (ended) assert.fail(`the call ended before its handler started: ${JSON.stringify(await outcome)}`);
        return (await probe()).started > before.started;
      });
      controller.abort();
      expectError(await outcome, 'CANCELLED');
      await eventually(async () => (await probe()).count > before.count);
    });
  }
  test.it('lists the operations the caller may invoke', async () => {
    const bearer = await token();
    const listed = await driver().list(bearer === undefined ? {} : { token: bearer });
    assert.ok(listed.ok, 'listing failed');
    assert.ok(listed.names.includes('echo'));
    assert.ok(listed.names.includes('strict_echo'));
  });
}

function authCases(target: ChannelUnderTest, test: TestApi, auth: ConformanceAuth): void {
  const driver = connectFor(target, test, auth);
  const as = (roles: string[], id = 'user-1') => auth.token({ id, roles, tenant: 'tenant-a' });

  test.it('refuses a call without a credential with UNAUTHENTICATED', async () => {
    expectError(await driver().invoke({ operation: 'echo', input: { message: 'x' } }), 'UNAUTHENTICATED');
  });
  test.it('refuses a bad credential with UNAUTHENTICATED and no reason', async () => {
    const outcome = expectError(await driver().invoke({ operation: 'echo', input: { message: 'x' }, token: await auth.invalidToken() }), 'UNAUTHENTICATED');
    assert.ok(!/expired|signature|malformed|audience|issuer/i.test(outcome.raw), `the reason leaked: ${outcome.raw}`);
  });
  if (target.credentialHeaders === true) {
    test.it('refuses an unusable Authorization header with UNAUTHENTICATED, never as anonymous', async () => {
      for (const authorization of ['Basic dTpw', 'Bearer', await as(['caller'])]) {
        expectError(await driver().invoke({ operation: 'echo', input: { message: 'x' }, authorization }), 'UNAUTHENTICATED');
        const listed = await driver().list({ authorization });
        assert.ok(!listed.ok && listed.code === 'UNAUTHENTICATED', `listing with "${authorization.slice(0, 12)}" was not refused`);
      }
      assert.deepEqual(expectOk(await driver().invoke({ operation: 'public_ping', authorization: 'Basic dTpw' })), { pong: true });
      assert.ok(expectOk(await driver().invoke({ operation: 'echo', input: { message: 'x' }, authorization: `bearer ${await as(['caller'])}` })));
    });
  }
  test.it('does not reveal unknown operations to anonymous callers', async () => {
    expectError(await driver().invoke({ operation: 'no_such_operation' }), 'UNAUTHENTICATED');
    expectError(await driver().invoke({ operation: 'no_such_operation', token: await as(['caller']) }), 'NOT_FOUND');
  });
  test.it('runs a public operation without a credential', async () => {
    assert.deepEqual(expectOk(await driver().invoke({ operation: 'public_ping' })), { pong: true });
  });
  test.it('resolves the principal and tenant from the credential', async () => {
    const value = expectOk(await driver().invoke({ operation: 'whoami', token: await as(['caller'], 'user-7') })) as Record<string, unknown>;
    assert.equal(value.principal, 'user-7');
    assert.equal(value.tenant, 'tenant-a');
  });
  test.it('refuses an operation outside the caller\'s permissions with FORBIDDEN', async () => {
    expectError(await driver().invoke({ operation: 'admin_only', token: await as(['caller']) }), 'FORBIDDEN');
    expectOk(await driver().invoke({ operation: 'admin_only', token: await as(['admin']) }));
  });
  test.it('refuses with FORBIDDEN before validating input', async () => {
    expectError(await driver().invoke({ operation: 'admin_only', input: { unexpected: 1 }, token: await as(['nobody']) }), 'FORBIDDEN');
  });
  test.it('lists only what the caller may invoke', async () => {
    const caller = await driver().list({ token: await as(['caller']) });
    assert.ok(caller.ok);
    assert.ok(caller.names.includes('echo') && !caller.names.includes('admin_only'), caller.names.join(','));
    const admin = await driver().list({ token: await as(['admin']) });
    assert.ok(admin.ok && admin.names.includes('admin_only'));
  });
  const auditRecords = auth.auditRecords?.bind(auth);
  if (auditRecords !== undefined && target.sharedApp !== false) {
    test.it('writes one audit record per call, with the request id the caller saw', async () => {
      const before = auditRecords().length;
      const bearer = await as(['caller'], 'audited-user');
      const allowed = await driver().invoke({ operation: 'whoami', token: bearer, ...(target.requestIds === false ? {} : { requestId: 'conformance-audit-1' }) });
      expectOk(allowed);
      const refused = expectError(await driver().invoke({ operation: 'admin_only', token: bearer }), 'FORBIDDEN');
      await eventually(async () => auditRecords().length >= before + 2);
      // Catalogue requests a driver makes on its own ($list, e.g. an MCP client listing tools) are audited too; only the two calls count here.
      const fresh = auditRecords().slice(before).filter((record) => record.principal === 'audited-user' && !record.operation.startsWith('$'));
      assert.equal(fresh.length, 2, `records: ${JSON.stringify(fresh)}`);
      const [first, second] = fresh;
      assert.equal(first!.operation, 'whoami');
      assert.equal(first!.outcome, 'allowed');
      assert.equal(first!.status, 200);
      if (target.requestIds !== false) assert.equal(first!.requestId, 'conformance-audit-1');
      assert.equal(second!.operation, 'admin_only');
      assert.equal(second!.outcome, 'denied');
      assert.equal(second!.status, 403);
      if (refused.requestId !== undefined) assert.equal(second!.requestId, refused.requestId);
    });
  }
  if (auditRecords !== undefined && target.sharedApp !== false) {
    test.it('writes no audit record for an operation declaring audit: false', async () => {
      const bearer = await as(['caller'], 'unaudited-user');
      expectOk(await driver().invoke({ operation: 'unaudited', token: bearer }));
      expectOk(await driver().invoke({ operation: 'whoami', token: bearer }));
      await eventually(async () => auditRecords().some((record) => record.principal === 'unaudited-user' && record.operation === 'whoami'));
      const mine = auditRecords().filter((record) => record.principal === 'unaudited-user' && !record.operation.startsWith('$'));
      assert.deepEqual(mine.map((record) => record.operation), ['whoami']);
    });
  }
  test.it('serves a caller without a tenant only the operations declaring tenantRequired: false', async () => {
    const bearer = await auth.token({ id: 'tenantless-user', roles: ['caller'], tenant: '' });
    assert.deepEqual(expectOk(await driver().invoke({ operation: 'tenantless', token: bearer })), { tenant: null });
    expectError(await driver().invoke({ operation: 'whoami', token: bearer }), 'TENANT_REQUIRED');
  });
  test.it('spends one budget for the operations of one limit group', async () => {
    const bearer = await as(['caller'], 'grouped-user');
    for (let i = 0; i < CONFORMANCE_LIMITED_CALLS; i++) expectOk(await driver().invoke({ operation: i % 2 === 0 ? 'limited_too' : 'limited', token: bearer }));
    expectError(await driver().invoke({ operation: 'limited_too', token: bearer }), 'RATE_LIMITED');
    expectError(await driver().invoke({ operation: 'limited', token: bearer }), 'RATE_LIMITED');
  });
  test.it('answers RATE_LIMITED with a retry time once the budget is spent', async () => {
    const bearer = await as(['caller'], 'rate-limited-user');
    for (let i = 0; i < CONFORMANCE_LIMITED_CALLS; i++) expectOk(await driver().invoke({ operation: 'limited', token: bearer }));
    const outcome = expectError(await driver().invoke({ operation: 'limited', token: bearer }), 'RATE_LIMITED');
    assert.ok((outcome.retryAfter ?? 0) >= 1, `retryAfter: ${outcome.retryAfter}`);
    expectOk(await driver().invoke({ operation: 'limited', token: await as(['caller'], 'another-user') }));
  });
}

/**
 * Registers the channel conformance suite: the same cases, the same expected decisions,
 * for every channel. Call it at the top level of a test file.
 * @example
 * runChannelConformance({ name: 'http', connect: async (app) => createHttpDriver(app) }, { auth: jwtConformanceAuth() });
 */
export function runChannelConformance(target: ChannelUnderTest, options: ConformanceOptions = {}): void {
  const test = options.test ?? (globalThis as unknown as TestApi);
  test.describe(`${target.name} channel conformance`, () => {
    test.describe('operations', () => basicCases(target, test, options.auth));
    if (options.auth) {
      const auth = options.auth;
      test.describe('authentication, authorization and limits', () => authCases(target, test, auth));
    }
  });
}
