import { describe, expect, it } from '@jest/globals';
import { WorkflowBuilder } from '@nexus/workflow';
import { createApp, errorOf, invoke, valueOf } from './helpers.js';

function codeApp(code: string, timeoutMs?: number) {
  const app = createApp();
  app.register('code', new WorkflowBuilder().addNode('CodeNode', 'snippet', { code }, timeoutMs === undefined ? {} : { timeoutMs }).build());
  return app;
}

describe('CodeNode', () => {
  it('sees inputs as globals and returns `result`, declared with let, const or plainly assigned', async () => {
    for (const declaration of ['result =', 'let result =', 'const result =', 'var result =']) {
      const result = valueOf(await invoke(codeApp(`${declaration} { doubled: n * 2, names: items.map((i) => i.name) };`), 'code', { n: 21, items: [{ name: 'a' }] }));
      expect(result.snippet).toEqual({ doubled: 42, names: ['a'] });
    }
  });

  it('wraps a result that is not an object as { result }', async () => {
    expect(valueOf(await invoke(codeApp('result = 6 * 7'), 'code')).snippet).toEqual({ result: 42 });
  });

  it('hands later nodes ordinary objects of this realm', async () => {
    const app = createApp();
    app.register('realm', new WorkflowBuilder()
      .addNode('CodeNode', 'make', { code: 'result = { list: [1, 2] }' })
      .addNode('FunctionNode', 'check', { fn: ({ list }: { list: unknown }) => ({ isArray: list instanceof Array }) })
      .addConnection('make', 'list', 'check', 'list')
      .build());
    expect(valueOf(await invoke(app, 'realm')).check).toEqual({ isArray: true });
  });

  it('cannot change the inputs other nodes see', async () => {
    const app = createApp();
    app.register('isolation', new WorkflowBuilder()
      .addNode('FunctionNode', 'source', { fn: () => ({ data: { count: 1 } }) })
      .addNode('CodeNode', 'mutator', { code: 'data.count = 99; result = { done: true }' })
      .addNode('FunctionNode', 'reader', { fn: ({ data }: { data: { count: number } }) => ({ count: data.count }) })
      .addConnection('source', 'data', 'mutator', 'data')
      .addConnection('source', 'data', 'reader', 'data')
      .build());
    expect(valueOf(await invoke(app, 'isolation')).reader).toEqual({ count: 1 });
  });

  it('stops a synchronous endless loop at its timeout with TIMEOUT naming the node', async () => {
    const error = errorOf(await invoke(codeApp('while (true) {}', 50), 'code'));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe('Workflow node "snippet" did not finish within 50 ms.');
  });

  it('refuses a promise as result: code nodes are synchronous', async () => {
    const error = errorOf(await invoke(codeApp('result = Promise.resolve(1)'), 'code'));
    expect(error.message).toBe('Workflow node "snippet" returned a value that is not JSON-serialisable.');
  });

  it('reports code that throws as INTERNAL naming the node, without its message', async () => {
    const error = errorOf(await invoke(codeApp("throw new Error('secret sauce')"), 'code'));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('Workflow node "snippet" failed.');
  });

  it('reports code that never assigns result', async () => {
    expect(errorOf(await invoke(codeApp('const x = 1;'), 'code')).message).toBe('Workflow node "snippet" failed.');
  });

  it('has no eval, timers or host modules inside the sandbox', async () => {
    const code = "result = { evalBlocked: (() => { try { eval('1'); return false; } catch { return true; } })(), timers: typeof setTimeout, req: typeof require, proc: typeof process }";
    expect(valueOf(await invoke(codeApp(code), 'code')).snippet).toEqual({ evalBlocked: true, timers: 'undefined', req: 'undefined', proc: 'undefined' });
  });

  it('never sees an input named __proto__: the pipeline refuses it before any workflow runs', async () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "n": 1}') as Record<string, unknown>;
    const result = await invoke(codeApp("result = { polluted: typeof polluted, n }"), 'code', input);
    expect(!result.ok && result.error.code).toBe('INVALID_INPUT');
  });
});
