import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, createMemoryJobPort, silentLogger } from '../src/index.js';
import type { InvocationResult, JobPort } from '../src/index.js';

/** An app with one gated job: `hold` runs until `release()` is called. */
function build(port?: JobPort) {
  const app = new Nexus({ logger: silentLogger, drainDelayMs: 100, drainTimeoutMs: 10_000 });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  app.handler('hold', { description: 'Runs until released', longRunning: true, input: z.object({}) }, async () => {
    onStarted();
    await released;
    return { held: true };
  });
  app.handler('quick', { description: 'Ends at once', longRunning: true, input: z.object({}) }, async () => ({ quick: true }));
  if (port) app.configureJobs({ port });
  return { app, release, started };
}

const idOf = (result: InvocationResult) => (result.ok ? (result.value as { operationId: string }).operationId : `refused ${result.error.code}`);
const caller = { channel: 'test' };

/** A shared store in this process: the in-process port plus the early stop a distributed port has, with the calls it got. */
function sharedStore(calls: string[]): JobPort {
  const inner = createMemoryJobPort();
  return {
    ...inner,
    stopTaking: () => void calls.push('stopTaking'),
    stopWorking: (graceMs) => {
      calls.push('stopWorking');
      return inner.stopWorking(graceMs);
    },
  };
}

describe('an app that stops while it works jobs', () => {
  it('tells a shared store to stop taking jobs within stop() itself, before the drain; running jobs still finish', async () => {
    const calls: string[] = [];
    const port = sharedStore(calls);
    const { app, release, started } = build(port);
    await app.start();
    const running = idOf(await app.submit({ ...caller, operation: 'hold', input: {} }));
    await started;
    const stopping = app.stop();
    // Synchronously, before the drain delay or any channel stops.
    expect(calls).toEqual(['stopTaking']);
    expect(app.state).toBe('draining');
    release();
    await stopping;
    expect(calls).toEqual(['stopTaking', 'stopWorking']);
    expect((await port.get(running))?.record).toMatchObject({ status: 'succeeded', result: { held: true } });
  });

  it('keeps working in-process jobs through the drain: one submitted while the app drains runs, as they can run nowhere else', async () => {
    const port = createMemoryJobPort();
    const { app } = build(port);
    await app.start();
    const stopping = app.stop();
    const late = idOf(await app.submit({ ...caller, operation: 'quick', input: {} }));
    expect(app.state).toBe('draining');
    await stopping;
    expect((await port.get(late))?.record).toMatchObject({ status: 'succeeded', result: { quick: true } });
  });
});
