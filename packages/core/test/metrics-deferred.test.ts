import { describe, expect, it } from '@jest/globals';
import { createMetrics, setRegisteredOperations } from '../src/metrics.js';
import type { NexusMetrics } from '../src/metrics.js';

/**
 * The registry is built on first read, and what was observed before is replayed: a scrape must
 * read exactly what it reads when the registry existed from the start.
 */
function feed(metrics: NexusMetrics, from: number, to: number): void {
  for (let i = from; i < to; i += 1) {
    metrics.observe(i % 3 === 0 ? 'api' : 'mcp', `op${i % 5}`, i % 7 === 0 ? 'error' : 'allowed', (i % 40) / 1000);
  }
}

describe('metrics observed before the registry exists', () => {
  it.each([10, 1023, 1024, 2500])('after %i observations a scrape reads what an eager registry reads', async (count) => {
    const eager = createMetrics({ defaultMetrics: false });
    const eagerText = eager.registry.contentType;
    expect(eagerText).toContain('text/plain');
    setRegisteredOperations(eager, 4);
    feed(eager, 0, count);
    const lazy = createMetrics({ defaultMetrics: false });
    setRegisteredOperations(lazy, 4);
    feed(lazy, 0, count);
    expect(await lazy.registry.metrics()).toBe(await eager.registry.metrics());
    // After the build, observations go straight to prom-client.
    feed(eager, count, count + 50);
    feed(lazy, count, count + 50);
    expect(await lazy.registry.metrics()).toBe(await eager.registry.metrics());
  });
});
