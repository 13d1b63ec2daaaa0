import { afterAll, describe, expect, it } from '@jest/globals';
import { burst } from '../support/load.js';
import { killAll, startApp } from '../support/processes.js';
import { mint, newSecret } from '../support/tokens.js';

const CALLS = 200;

afterAll(async () => {
  await killAll();
});

describe('SIGTERM under load', () => {
  it('answers every request that reached the server completely, then exits 0', async () => {
    const secret = newSecret();
    // A budget large enough that no call of the burst is rate limited; a drain delay long enough
    // that a loaded server still accepts every connection already queued in its backlog.
    const server = await startApp({ NEXUS_JWT_SECRET: secret, NEXUS_RATE_LIMIT_RPM: '100000', NEXUS_RATE_LIMIT_BURST: '1000', NEXUS_DRAIN_DELAY_MS: '5000' });
    const token = mint(secret, 'e2e-load', ['developer'], 'acme');
    const load = burst(
      `${server.api}/workflows/echo/execute`,
      CALLS,
      { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      JSON.stringify({ inputs: { message: 'x'.repeat(512) } }),
    );
    await load.connected;
    const completedBeforeSignal = load.completed();
    server.child.kill('SIGTERM');
    const results = await load.done;
    const exit = await server.exited;

    // The signal really landed mid-burst: the last connection had not even sent its request
    // when `connected` settled, so this holds however fast or slow the machine.
    expect(completedBeforeSignal).toBeLessThan(CALLS);
    const failures = results.filter((result) => !result.ok);
    expect(failures).toEqual([]);
    for (const result of results) {
      if (!result.ok) continue;
      expect([200, 503]).toContain(result.status);
      const body = JSON.parse(result.body) as { result?: { message?: string }; code?: string };
      if (result.status === 200) expect(body.result?.message).toHaveLength(512);
      else expect(body.code).toBe('UNAVAILABLE');
    }
    expect(exit).toEqual({ code: 0, signal: null });
  }, 60_000);
});
