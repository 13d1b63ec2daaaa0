import assert from 'node:assert/strict';
import type { ConformanceDriver, ConformanceOutcome } from './driver.js';

type Body = () => Promise<void>;
interface It {
  it(name: string, body: Body, timeout?: number): void;
}
type Call = (operation: string, input: unknown) => Promise<ConformanceOutcome>;

/** `{ next: { next: ... } }`, `levels` objects deep including the outer one. */
export function nested(levels: number): Record<string, unknown> {
  let node: Record<string, unknown> = {};
  for (let level = 1; level < levels; level++) node = { next: node };
  return node;
}

function expectInvalid(outcome: ConformanceOutcome, path?: string): void {
  assert.ok(!outcome.ok, `expected INVALID_INPUT, got success: ${outcome.raw}`);
  assert.equal(outcome.code, 'INVALID_INPUT', outcome.raw);
  if (path !== undefined) assert.ok(outcome.raw.includes(path), `the path ${path} is named: ${outcome.raw}`);
}

/**
 * The input rules every channel inherits from core: nesting depth, reserved keys, well-formed
 * strings; with a raw-capable driver also hostile depth and malformed JSON. One decision each,
 * on every channel.
 */
export function inputRuleCases(test: It, call: Call, driver: () => ConformanceDriver, token: () => Promise<string | undefined>): void {
  test.it('accepts input nested 64 levels deep', async () => {
    const outcome = await call('echo', { message: 'x', nested: nested(63) });
    assert.ok(outcome.ok, outcome.raw);
  });
  test.it('refuses input nested deeper than 64 levels with INVALID_INPUT', async () => {
    expectInvalid(await call('echo', { message: 'x', nested: nested(64) }));
  });
  test.it('refuses __proto__, constructor and prototype keys with INVALID_INPUT, at any depth', async () => {
    for (const json of [
      '{"message":"x","__proto__":{"polluted":true}}',
      '{"message":"x","constructor":{"prototype":{}}}',
      '{"message":"x","profile":{"prototype":1}}',
      '{"message":"x","list":[{"__proto__":null}]}',
    ]) expectInvalid(await call('echo', JSON.parse(json)));
  });
  test.it('refuses strings that are not well-formed Unicode with INVALID_INPUT', async () => {
    expectInvalid(await call('echo', { message: 'vic\ud800' }), 'message');
    expectInvalid(await call('echo', { message: 'x', tags: { 'key\udc00': 1 } }));
    const fine = await call('echo', { message: 'vic\ufffd 租户 🎉' });
    assert.ok(fine.ok, fine.raw);
  });
  test.it('refuses a 100,000-level nesting with INVALID_INPUT, sent as raw JSON', async () => {
    const raw = driver().invokeRaw;
    if (raw === undefined) return;
    const levels = 100_000;
    const bearer = await token();
    const json = `{"message":"x","nested":${'['.repeat(levels)}${']'.repeat(levels)}}`;
    expectInvalid(await raw.call(driver(), { operation: 'echo', json, ...(bearer === undefined ? {} : { token: bearer }) }));
  }, 30_000);
  test.it('refuses malformed JSON input with INVALID_INPUT, sent as raw JSON', async () => {
    const raw = driver().invokeRaw;
    if (raw === undefined) return;
    const bearer = await token();
    expectInvalid(await raw.call(driver(), { operation: 'echo', json: '{"message": "x",', ...(bearer === undefined ? {} : { token: bearer }) }));
  }, 30_000);
}

/** With a declared request limit: an input over it is PAYLOAD_TOO_LARGE, never parsed. */
export function oversizeCase(test: It, driver: () => ConformanceDriver, token: () => Promise<string | undefined>, maxInputBytes: number): void {
  test.it(`refuses an input over the channel's ${maxInputBytes}-byte limit with PAYLOAD_TOO_LARGE`, async () => {
    const raw = driver().invokeRaw;
    assert.ok(raw !== undefined, 'a channel that declares maxInputBytes needs a driver with invokeRaw');
    const bearer = await token();
    const json = `{"message":"${'x'.repeat(maxInputBytes + 1024)}"}`;
    const outcome = await raw.call(driver(), { operation: 'echo', json, ...(bearer === undefined ? {} : { token: bearer }) });
    assert.ok(!outcome.ok, 'expected PAYLOAD_TOO_LARGE, got success');
    assert.equal(outcome.code, 'PAYLOAD_TOO_LARGE', outcome.raw.slice(0, 500));
  }, 30_000);
}
