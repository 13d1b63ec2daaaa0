import { describe, expect, it } from '@jest/globals';
import { CORS_EXPOSED_HEADERS, isNexusSetupError, resolveCorsPolicy } from '../src/index.js';

describe('resolveCorsPolicy', () => {
  it('is off without options, and normalises named origins', () => {
    expect(resolveCorsPolicy(undefined)).toBeUndefined();
    expect(resolveCorsPolicy({ origins: ['https://App.example.com'] })).toEqual({ origins: ['https://app.example.com'], credentials: false, maxAgeSeconds: 600, exposedHeaders: CORS_EXPOSED_HEADERS });
    expect(CORS_EXPOSED_HEADERS).toEqual(expect.arrayContaining(['WWW-Authenticate', 'X-Request-ID', 'Mcp-Session-Id', 'X-RateLimit-Limit', 'Retry-After']));
  });

  it.each([
    ['an empty list', { origins: [] }],
    ['an origin with a path', { origins: ['https://app.example.com/'] }],
    ['a bare host name', { origins: ['app.example.com'] }],
    ['credentials with any origin', { origins: '*', credentials: true }],
    ['a negative max age', { origins: '*', maxAgeSeconds: -1 }],
  ])('refuses %s', (_label, options) => {
    let thrown: unknown;
    try {
      resolveCorsPolicy(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(isNexusSetupError(thrown) && thrown.code).toBe('NEXUS_ERR_INVALID_CONFIG');
  });
});
