import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ForbiddenError, Nexus, checkInputRules, isValidIdentifier, silentLogger } from '../src/index.js';

describe('identifiers', () => {
  it.each([
    ['acme', true],
    ['租户-a', true],
    ['vic\ufffd', true],
    ['x'.repeat(128), true],
    ['', false],
    ['x'.repeat(129), false],
    ['vic\ud800', false],
    ['\udc00acme', false],
    ['ac\u0000me', false],
    ['ac\nme', false],
    ['ac\u0085me', false],
    ['ac\u007fme', false],
  ])('%j is valid: %s', (value, expected) => {
    expect(isValidIdentifier(value)).toBe(expected);
  });

  it('refuses values that are not strings', () => {
    expect(isValidIdentifier(42)).toBe(false);
    expect(isValidIdentifier(undefined)).toBe(false);
  });
});

describe('input rules', () => {
  const invalid = (input: unknown) => {
    try {
      checkInputRules(input);
    } catch (error) {
      return (error as { code: string; errors: { path: string }[] }).errors[0]?.path ?? 'no path';
    }
    return undefined;
  };
  const deep = (levels: number) => {
    let node: unknown = {};
    for (let level = 1; level < levels; level++) node = { a: node };
    return node;
  };

  it('accepts 64 levels and refuses 65, objects and arrays alike', () => {
    expect(invalid(deep(64))).toBeUndefined();
    expect(invalid(deep(65))).toBe(`${'a.'.repeat(63)}a`);
    expect(invalid(JSON.parse(`${'['.repeat(65)}${']'.repeat(65)}`))).toBeDefined();
  });

  it('refuses a 200,000-level nesting without overflowing the stack', () => {
    expect(invalid(JSON.parse(`{"p":${'['.repeat(200_000)}${']'.repeat(200_000)}}`))).toBeDefined();
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s at any depth', (key) => {
    expect(invalid(JSON.parse(`{"${key}":{}}`))).toBe(key);
    expect(invalid(JSON.parse(`{"a":[{"${key}":1}]}`))).toBe(`a.0.${key}`);
  });

  it('refuses ill-formed strings and keys, accepts well-formed ones', () => {
    expect(invalid({ id: 'vic\ud800' })).toBe('id');
    expect(invalid({ list: ['ok', 'a\udfff'] })).toBe('list.1');
    expect(invalid({ ['k\ud800']: 1 })).toBe('');
    expect(invalid({ id: 'vic\ufffd', name: '🎉 租户' })).toBeUndefined();
  });
});

describe('input rules in the pipeline', () => {
  const app = new Nexus({ logger: silentLogger });
  app.authorize((ctx, operation) => {
    if (operation.name === 'guarded' && ctx.credential.kind === 'none') throw new ForbiddenError();
  });
  app.handler('open', { description: 'Any fields.', input: z.looseObject({}) }, (input) => input);
  app.handler('guarded', { description: 'Needs a credential.', input: z.looseObject({}) }, (input) => input);

  it('refuses before the schema, after authorization', async () => {
    const hostile = JSON.parse('{"__proto__":{"admin":true}}');
    const refused = await app.invoke({ channel: 'test', operation: 'open', input: hostile });
    expect(!refused.ok && refused.error.code).toBe('INVALID_INPUT');
    const forbidden = await app.invoke({ channel: 'test', operation: 'guarded', input: hostile });
    expect(!forbidden.ok && forbidden.error.code).toBe('FORBIDDEN');
  });
});
