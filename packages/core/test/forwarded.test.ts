import { describe, expect, it } from '@jest/globals';
import { createForwardedAddressResolver } from '../src/index.js';
import { normaliseAddress } from '../src/forwarded.js';

describe('createForwardedAddressResolver', () => {
  it('takes the socket address and ignores X-Forwarded-For when no proxy is trusted', () => {
    for (const trust of [undefined, []]) {
      const resolve = createForwardedAddressResolver(trust);
      expect(resolve('127.0.0.1', '203.0.113.7')).toBe('127.0.0.1');
      expect(resolve('::ffff:10.0.0.2', undefined)).toBe('10.0.0.2');
      expect(resolve(undefined, '203.0.113.7')).toBeUndefined();
    }
  });

  it('believes a trusted loopback proxy and takes the rightmost untrusted hop', () => {
    const resolve = createForwardedAddressResolver(['loopback']);
    expect(resolve('127.0.0.1', '203.0.113.7')).toBe('203.0.113.7');
    expect(resolve('::1', '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    expect(resolve('::ffff:127.0.0.1', '203.0.113.7')).toBe('203.0.113.7');
  });

  it('walks past every trusted hop, whether the header came as one value or several', () => {
    const resolve = createForwardedAddressResolver(['loopback', '10.0.0.1']);
    expect(resolve('127.0.0.1', '203.0.113.7, 10.0.0.1')).toBe('203.0.113.7');
    expect(resolve('127.0.0.1', ['203.0.113.7', '10.0.0.1'])).toBe('203.0.113.7');
    expect(resolve('127.0.0.1', '10.0.0.1')).toBe('10.0.0.1');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    const resolve = createForwardedAddressResolver(['10.0.0.1']);
    expect(resolve('192.0.2.9', '203.0.113.7')).toBe('192.0.2.9');
    expect(resolve('127.0.0.1', '203.0.113.7')).toBe('127.0.0.1');
    expect(resolve('::ffff:10.0.0.1', '203.0.113.7')).toBe('203.0.113.7');
  });

  it('stops at the last good address when a hop is not an IP address', () => {
    const resolve = createForwardedAddressResolver(['127.0.0.1']);
    expect(resolve('127.0.0.1', 'evil, not-an-ip')).toBe('127.0.0.1');
    expect(resolve('127.0.0.1', 'not-an-ip, 203.0.113.7')).toBe('203.0.113.7');
  });

  it('accepts a predicate deciding which peers are proxies', () => {
    const resolve = createForwardedAddressResolver((address) => address.startsWith('10.'));
    expect(resolve('10.1.2.3', '203.0.113.7, 10.9.9.9')).toBe('203.0.113.7');
    expect(resolve('192.0.2.9', '203.0.113.7')).toBe('192.0.2.9');
  });
});

describe('normaliseAddress', () => {
  it.each([
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:abcd', '::ffff:abcd'],
    ['2001:db8::1', '2001:db8::1'],
    ['192.0.2.1', '192.0.2.1'],
  ])('%s becomes %s', (input, output) => {
    expect(normaliseAddress(input)).toBe(output);
  });
});
