import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SERVER_LIMITS, resolveServerLimits } from '../src/index.js';

describe('listener limits', () => {
  it('defaults to 20 s headers, 60 s request, 65 s keep-alive (past a 60 s load-balancer idle timeout) and 10 000 connections', () => {
    const limits = resolveServerLimits({});
    expect(limits).toMatchObject({ headersTimeout: 20_000, requestTimeout: 60_000, keepAliveTimeout: 65_000, maxConnections: 10_000 });
    expect(DEFAULT_SERVER_LIMITS.keepAliveTimeout).toBeGreaterThan(60_000);
    // Checked often enough that a timeout is enforced close to its value, not up to 30 s late.
    expect(limits.checkInterval).toBeLessThanOrEqual(1_000);
  });

  it('checks short timeouts often enough to honour them', () => {
    expect(resolveServerLimits({ headersTimeout: 400, requestTimeout: 800 }).checkInterval).toBeLessThanOrEqual(100);
  });

  it('lets requestTimeout be turned off with 0', () => {
    expect(resolveServerLimits({ requestTimeout: 0 }).requestTimeout).toBe(0);
  });

  it.each([
    [{ headersTimeout: 0 }, 'headersTimeout'],
    [{ keepAliveTimeout: 1.5 }, 'keepAliveTimeout'],
    [{ maxConnections: 0 }, 'maxConnections'],
    [{ requestTimeout: -1 }, 'requestTimeout'],
    [{ headersTimeout: 2_000, requestTimeout: 1_000 }, 'must not exceed requestTimeout'],
  ])('refuses %j with NEXUS_ERR_INVALID_CONFIG', (options, message) => {
    expect(() => resolveServerLimits(options)).toThrow(message);
    expect(() => resolveServerLimits(options)).toThrow(/NEXUS_ERR_INVALID_CONFIG/);
  });
});
