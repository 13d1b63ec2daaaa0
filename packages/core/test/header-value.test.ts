import { describe, expect, it } from '@jest/globals';
import { encodeHeaderValue } from '@nexus/core/protocol';

describe('header values', () => {
  it.each([
    ['acme', 'acme'],
    ['tenant-1_a.b~c', 'tenant-1_a.b~c'],
    ['租户-a', '%E7%A7%9F%E6%88%B7-a'],
    ['100%', '100%25'],
    ['a b', 'a%20b'],
    ['line\nbreak', 'line%0Abreak'],
    ['café', 'caf%C3%A9'],
  ])('%j is sent as %j and decodes back', (value, sent) => {
    expect(encodeHeaderValue(value)).toBe(sent);
    expect(decodeURIComponent(sent)).toBe(value);
  });

  it('writes even a lone surrogate as something a header can carry', () => {
    expect(encodeHeaderValue('x\ud800')).toBe('x%EF%BF%BD');
  });
});
