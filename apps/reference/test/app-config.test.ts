import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '@nexus/core';
import { createReferenceApp } from '../src/app.js';
import { ConfigError, loadConfig } from '../src/config.js';

const env = (extra: Record<string, string>) => ({ NEXUS_JWT_SECRET: randomBytes(48).toString('base64url'), ...extra });

describe('reference configuration of audit and stop', () => {
  it('applies the drain delay only where the app serves: the in-process CLI stops at once', async () => {
    const config = loadConfig(env({ NEXUS_DRAIN_DELAY_MS: '3000' }));
    expect(config.drainDelayMs).toBe(3_000);
    expect((await createReferenceApp(config, { logger: silentLogger })).app.options.drainDelayMs).toBe(0);
    expect((await createReferenceApp(config, { logger: silentLogger, drainDelayMs: config.drainDelayMs })).app.options.drainDelayMs).toBe(3_000);
  });

  it('reads NEXUS_DRAIN_TIMEOUT_MS (10 s by default) as the grace running calls and jobs get on stop', async () => {
    expect((await createReferenceApp(loadConfig(env({})), { logger: silentLogger })).app.options.drainTimeoutMs).toBe(10_000);
    expect((await createReferenceApp(loadConfig(env({ NEXUS_DRAIN_TIMEOUT_MS: '90000' })), { logger: silentLogger })).app.options.drainTimeoutMs).toBe(90_000);
    expect(() => loadConfig(env({ NEXUS_DRAIN_TIMEOUT_MS: 'soon' }))).toThrow(ConfigError);
  });

  it.each([
    [{}, 'fail-open'],
    [{ NEXUS_AUDIT_ON_FAILURE: 'fail-closed' }, 'fail-closed'],
    [{ NEXUS_AUDIT_ON_FAILURE: 'fail-open' }, 'fail-open'],
  ])('reads NEXUS_AUDIT_ON_FAILURE from %j as %s', (extra, expected) => {
    expect(loadConfig(env(extra)).auditOnFailure).toBe(expected);
  });

  it('refuses an unknown NEXUS_AUDIT_ON_FAILURE with a configuration error naming the choices', () => {
    expect(() => loadConfig(env({ NEXUS_AUDIT_ON_FAILURE: 'closed' }))).toThrow(ConfigError);
    expect(() => loadConfig(env({ NEXUS_AUDIT_ON_FAILURE: 'closed' }))).toThrow(/fail-open or fail-closed/);
  });
});
