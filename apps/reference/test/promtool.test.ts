import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import { createApiChannel } from '@nexus/channel-api';
import { z } from 'zod';
import { checkMetricsWithPromtool, promtoolAvailable } from './support/promtool.js';
import { underCI } from './support/ci.js';

const available = promtoolAvailable();
// Under CI a missing promtool is a failure, not a skip: .ci/run installs it.
const describeWithPromtool = available || underCI() ? describe : describe.skip;

describeWithPromtool('checkMetricsWithPromtool', () => {
  let app: Nexus;

  beforeAll(async () => {
    expect(available).toBe(true);
    app = new Nexus({ enableMonitoring: true, logger: silentLogger });
    app.handler(
      'echo',
      { description: 'Echoes a message.', input: z.object({ message: z.string() }), public: true },
      async (input) => ({ message: input.message }),
    );
    app.handler('boom', { description: 'Always fails.', input: z.object({}), public: true }, async () => {
      throw new Error('kaboom');
    });
    const call = (operation: string, input: unknown) =>
      app.invoke({ channel: 'api', operation, input, credential: { kind: 'none' } });
    await call('echo', { message: 'hi' });
    await call('echo', { message: 42 });
    await call('boom', {});
    await call('no_such_operation', {});
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('accepts the metrics a monitored app exposes after real invocations', async () => {
    const text = await app.metrics.registry.metrics();
    expect(text).toMatch(/nexus_requests_total\{[^}]*outcome="allowed"[^}]*\} 1/);
    expect(text).toMatch(/nexus_requests_total\{[^}]*outcome="invalid"[^}]*\} 1/);
    expect(text).toMatch(/nexus_requests_total\{[^}]*outcome="error"[^}]*\} 1/);
    expect(text).toContain('nexus_request_duration_seconds_bucket{');
    expect(text).toContain('process_cpu_seconds_total');
    const result = await checkMetricsWithPromtool(text);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.exitCode).toBe(0);
  });

  it('passes GET /metrics of a running API channel with exit 0, nothing tolerated', async () => {
    const api = createApiChannel({ port: 0 });
    const served = new Nexus({ enableMonitoring: true, logger: silentLogger });
    served.addChannel(api);
    await served.start();
    try {
      const response = await fetch(`http://127.0.0.1:${api.address()!.port}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      // The per-type gauges stay; the `_total`-named gauges promtool rejects are gone.
      expect(text).toContain('nodejs_active_handles{');
      const result = await checkMetricsWithPromtool(text);
      process.stdout.write(`promtool check metrics on GET /metrics: exit ${result.exitCode}${result.output ? `\n${result.output}` : ' (no findings)'}\n`);
      expect(result.output).toBe('');
      expect(result.exitCode).toBe(0);
    } finally {
      await served.stop();
    }
  });

  it('does not tolerate the same finding on another series', async () => {
    const text = '# HELP nexus_open_total Open things.\n# TYPE nexus_open_total gauge\nnexus_open_total 2\n';
    const result = await checkMetricsWithPromtool(text);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(['nexus_open_total non-counter metrics should not have "_total" suffix']);
  });

  it('reports a lint problem, such as a counter without the _total suffix', async () => {
    const result = await checkMetricsWithPromtool('# HELP jobs Jobs.\n# TYPE jobs counter\njobs 3\n');
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(['jobs counter metrics should have "_total" suffix']);
  });

  it('reports text that is not the Prometheus exposition format', async () => {
    const result = await checkMetricsWithPromtool('<html>not metrics</html>\n');
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/pars/i);
  });
});
