import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

// rate-limiter-flexible costs a start-up tens of ms; the failure throttle needs it only once a
// credential is refused, so an app (an in-process CLI run with a good token) need not load it.
const THROTTLE = new URL('../../dist/jwt/throttle.js', import.meta.url).href;

function loadedAfter(steps: string): { loaded: boolean; blocked: number } {
  const script = `
    import { createRequire } from 'node:module';
    import { AuthFailureThrottle } from '${THROTTLE}';
    const throttle = new AuthFailureThrottle({ maxFailures: 2, windowSeconds: 60 });
    await throttle.start();
    ${steps}
    const blocked = throttle.blockedFor('10.0.0.1');
    await throttle.stop();
    const cache = createRequire(import.meta.url).cache;
    process.stdout.write(JSON.stringify({ loaded: Object.keys(cache).some((file) => file.includes('/rate-limiter-flexible/')), blocked }));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as { loaded: boolean; blocked: number };
}

describe('the auth failure throttle loads its counter on the first refusal', () => {
  it('does not load rate-limiter-flexible while no credential has failed', () => {
    expect(loadedAfter('throttle.blockedFor("10.0.0.1");')).toEqual({ loaded: false, blocked: 0 });
  });

  it('loads it, and counts, once credentials fail', () => {
    const result = loadedAfter('await throttle.fail("10.0.0.1"); await throttle.fail("10.0.0.1");');
    expect(result.loaded).toBe(true);
    expect(result.blocked).toBeGreaterThan(0);
  });
});
