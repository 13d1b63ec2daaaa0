import { describe, expect, it } from '@jest/globals';
import { ForbiddenError } from '@nexus/core';
import { WorkflowBuilder } from '@nexus/workflow';
import type { NodeContext } from '@nexus/workflow';
import { createApp, errorOf, invoke, memoryLogger, until, valueOf } from './helpers.js';

/** A node that records its start and resolves only when released or aborted. */
function gate() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const events: string[] = [];
  const starts = new Map<string, () => void>();
  const startedPromises = new Map<string, Promise<void>>();
  /** Settles once the node `name` has started. */
  const started = (name: string) => {
    if (!startedPromises.has(name)) startedPromises.set(name, new Promise<void>((resolve) => starts.set(name, resolve)));
    return startedPromises.get(name)!;
  };
  const node = (name: string) => ({
    fn: async (_inputs: unknown, ctx: NodeContext) => {
      events.push(`start:${name}`);
      void started(name);
      starts.get(name)!();
      await Promise.race([released, new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))]);
      events.push(ctx.signal.aborted ? `aborted:${name}` : `end:${name}`);
      return { name };
    },
  });
  return { node, release, events, started };
}

describe('workflow runtime', () => {
  it('passes outputs along connections and maps every node id to its outputs, in the order nodes were added', async () => {
    const app = createApp();
    app.register('pipeline', new WorkflowBuilder()
      .addNode('FunctionNode', 'sum', { fn: ({ a, b }: { a: number; b: number }) => ({ total: a + b }) })
      .addNode('FunctionNode', 'square', { fn: ({ n }: { n: number }) => n * n })
      .addConnection('sum', 'total', 'square', 'n')
      .build());
    const result = valueOf(await invoke(app, 'pipeline', { a: 2, b: 3 }));
    expect(Object.keys(result)).toEqual(['sum', 'square']);
    expect(result.sum).toEqual({ total: 5 });
    expect(result.square).toEqual({ result: 25 });
  });

  it('shows workflow inputs to root nodes by name and to other nodes only through explicit mappings', async () => {
    const app = createApp();
    const seen: Record<string, unknown>[] = [];
    app.register('mapped', new WorkflowBuilder()
      .addNode('FunctionNode', 'root', { fn: (inputs: Record<string, unknown>) => { seen.push({ ...inputs }); return { out: 1 }; } })
      .addNode('FunctionNode', 'inner', { fn: (inputs: Record<string, unknown>) => { seen.push({ ...inputs }); return {}; } })
      .addConnection('root', 'out', 'inner', 'fromRoot')
      .addInputMapping('limit', 'inner', 'max')
      .addInputMapping('tenant_id', 'inner', 'tenant')
      .build());
    valueOf(await invoke(app, 'mapped', { limit: 10, other: 'x', toString: 'kept' }, { tenant: 't1' }));
    expect(seen[0]).toEqual({ limit: 10, other: 'x', toString: 'kept', tenant_id: 't1' });
    expect(seen[1]).toEqual({ fromRoot: 1, max: 10, tenant: 't1' });
  });

  it('runs independent branches concurrently', async () => {
    const app = createApp();
    const started = new Set<string>();
    let bothStarted!: () => void;
    const together = new Promise<void>((resolve) => (bothStarted = resolve));
    // Each branch waits until the other has started: run one after the other, this would time out.
    const branch = (name: string) => ({
      fn: async () => {
        started.add(name);
        if (started.size === 2) bothStarted();
        await together;
        return { name };
      },
    });
    app.register('parallel', new WorkflowBuilder({ nodeTimeoutMs: 10_000 })
      .addNode('FunctionNode', 'left', branch('left'))
      .addNode('FunctionNode', 'right', branch('right'))
      .addNode('MergeNode', 'join', { mode: 'object' })
      .addConnection('left', 'name', 'join', 'l')
      .addConnection('right', 'name', 'join', 'r')
      .build());
    const result = valueOf(await invoke(app, 'parallel'));
    expect(result.join).toEqual({ value: { l: 'left', r: 'right' } });
  });

  it('fails with INTERNAL naming the node, hides the cause from the caller, logs it, and starts nothing else', async () => {
    const records: Parameters<typeof memoryLogger>[0] = [];
    const app = createApp({ logger: memoryLogger(records) });
    const { node, events, started } = gate();
    let downstreamRan = false;
    app.register('failing', new WorkflowBuilder()
      .addNode('FunctionNode', 'slow', node('slow'))
      .addNode('FunctionNode', 'boom', { fn: async () => { await started('slow'); throw new Error('db password=hunter2 rejected'); } })
      .addNode('FunctionNode', 'after_slow', { fn: () => { downstreamRan = true; return {}; } })
      .addConnection('slow', 'name', 'after_slow', 'in')
      .build());
    const error = errorOf(await invoke(app, 'failing'));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('Workflow node "boom" failed.');
    expect(error.toProblem().node).toBe('boom');
    expect(JSON.stringify(error.toProblem())).not.toContain('hunter2');
    const logged = records.find((record) => record.message === 'workflow node failed');
    expect(logged?.fields.node).toBe('boom');
    expect(String((logged?.fields.error as Error).message)).toContain('hunter2');
    await until(() => events.length >= 2);
    // One more turn of the event loop, in which a wrongly started downstream node would run.
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['start:slow', 'aborted:slow']);
    expect(downstreamRan).toBe(false);
  });

  it('keeps the code of a NexusError a node throws and adds the node id', async () => {
    const app = createApp();
    app.register('refusing', new WorkflowBuilder().addNode('FunctionNode', 'check', { fn: () => { throw new ForbiddenError('Only owners may do this.'); } }).build());
    const error = errorOf(await invoke(app, 'refusing'));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toBe('Workflow node "check": Only owners may do this.');
  });

  it('times a node out with TIMEOUT naming it, aborting its signal and its siblings', async () => {
    const app = createApp();
    const { node, events } = gate();
    let sawAbort = false;
    app.register('stuck', new WorkflowBuilder()
      .addNode('FunctionNode', 'sibling', node('sibling'))
      .addNode('FunctionNode', 'hang', { fn: (_i: unknown, ctx: NodeContext) => new Promise(() => ctx.signal.addEventListener('abort', () => (sawAbort = true))) }, { timeoutMs: 50 })
      .build());
    const error = errorOf(await invoke(app, 'stuck'));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe('Workflow node "hang" did not finish within 50 ms.');
    expect(sawAbort).toBe(true);
    await until(() => events.length >= 2);
    expect(events).toEqual(['start:sibling', 'aborted:sibling']);
  });

  it('cancels through the caller\'s signal: running nodes abort and later nodes never start', async () => {
    const app = createApp();
    const { node, events, started } = gate();
    let laterRan = false;
    app.register('cancellable', new WorkflowBuilder()
      .addNode('FunctionNode', 'first', node('first'))
      .addNode('FunctionNode', 'later', { fn: () => { laterRan = true; return {}; } })
      .addConnection('first', 'name', 'later', 'in')
      .build());
    const controller = new AbortController();
    const pending = invoke(app, 'cancellable', {}, { signal: controller.signal });
    await started('first');
    controller.abort();
    const error = errorOf(await pending);
    expect(error.code).toBe('CANCELLED');
    await until(() => events.length >= 2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['start:first', 'aborted:first']);
    expect(laterRan).toBe(false);
  });

  it('stops at the operation deadline with TIMEOUT and aborts the running nodes', async () => {
    const app = createApp();
    const { node, events } = gate();
    app.register('deadline', new WorkflowBuilder().addNode('FunctionNode', 'long', node('long')).build(), { timeoutMs: 50 });
    const error = errorOf(await invoke(app, 'deadline'));
    expect(error.code).toBe('TIMEOUT');
    await until(() => events.length >= 2);
    expect(events).toEqual(['start:long', 'aborted:long']);
  });

  it.each([
    ['a function', () => ({ callback: () => 1 }), 'output.callback is a function'],
    ['a bigint', () => ({ big: 1n }), 'output.big is a bigint'],
    ['a Map', () => ({ lookup: new Map() }), 'output.lookup is an instance of Map'],
    ['NaN', () => ({ ratio: Number.NaN }), 'output.ratio is NaN'],
    ['a cycle', () => { const loop: Record<string, unknown> = {}; loop.self = loop; return loop; }, 'output.self is a circular reference'],
  ])('refuses a node output holding %s with an error naming the node', async (_case, fn, reason) => {
    const records: Parameters<typeof memoryLogger>[0] = [];
    const app = createApp({ logger: memoryLogger(records) });
    app.register('bad_output', new WorkflowBuilder().addNode('FunctionNode', 'maker', { fn }).build());
    const error = errorOf(await invoke(app, 'bad_output'));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('Workflow node "maker" returned a value that is not JSON-serialisable.');
    expect(records.some((record) => record.fields.problem === reason)).toBe(true);
  });

  it('fails the node, instead of hanging, when reading its output throws', async () => {
    const app = createApp();
    app.register('getter', new WorkflowBuilder().addNode('FunctionNode', 'tricky', { fn: () => ({ get value(): never { throw new Error('no'); } }) }).build(), { timeoutMs: 2_000 });
    const error = errorOf(await invoke(app, 'getter'));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('Workflow node "tricky" failed.');
  });

  it('fails the node whose output a connection names but which it did not produce', async () => {
    const app = createApp();
    app.register('missing_port', new WorkflowBuilder()
      .addNode('FunctionNode', 'source', { fn: () => ({ actual: 1 }) })
      .addNode('FunctionNode', 'sink', { fn: () => ({}) })
      .addConnection('source', 'expected', 'sink', 'in')
      .build());
    const error = errorOf(await invoke(app, 'missing_port'));
    expect(error.message).toMatch(/^Workflow node "source" produced no output "expected" \(it produced: actual\)/);
  });

  it('gives nodes a frozen view of the tenant and principal', async () => {
    const app = createApp();
    app.use('authenticate', (_ctx, next) => next({ principal: { id: 'u1', roles: ['user'], permissions: [], claims: {} } }));
    app.register('context', new WorkflowBuilder().addNode('FunctionNode', 'who', {
      fn: (_inputs: unknown, ctx: NodeContext) => {
        expect(() => { (ctx.principal!.roles as string[]).push('admin'); }).toThrow();
        expect(() => { (ctx as { tenant: unknown }).tenant = undefined; }).toThrow();
        return { principal: ctx.principal?.id, tenant: ctx.tenant?.id, node: ctx.nodeId, requestId: ctx.requestId };
      },
    }).build());
    const result = valueOf(await app.invoke({ channel: 'test', operation: 'context', requestId: 'req-1', transport: { requestedTenant: 'acme' } }));
    expect(result.who).toEqual({ principal: 'u1', tenant: 'acme', node: 'who', requestId: 'req-1' });
  });

  it('runs a long chain of synchronous nodes without growing the stack', async () => {
    const builder = new WorkflowBuilder().addNode('FunctionNode', 'n0', { fn: () => ({ v: 0 }) });
    for (let index = 1; index < 5_000; index++) {
      builder.addNode('FunctionNode', `n${index}`, { fn: ({ v }: { v: number }) => ({ v: v + 1 }) }).addConnection(`n${index - 1}`, 'v', `n${index}`, 'v');
    }
    const app = createApp();
    app.register('chain', builder.build());
    const result = valueOf(await invoke(app, 'chain'));
    expect(result.n4999).toEqual({ v: 4999 });
  });
});
