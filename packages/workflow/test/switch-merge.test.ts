import { describe, expect, it } from '@jest/globals';
import { WorkflowBuilder } from '@nexus/workflow';
import { createApp, errorOf, invoke, valueOf } from './helpers.js';

function routingApp(ran: string[]) {
  const app = createApp();
  const track = (name: string) => ({ fn: ({ value }: { value: unknown }) => { ran.push(name); return { value: `${name}:${String(value)}` }; } });
  app.register('route', new WorkflowBuilder()
    .addNode('SwitchNode', 'decide', {
      field: 'level',
      cases: [
        { output: 'strict', equals: 'hipaa' },
        { output: 'strict', equals: 'gdpr' },
        { output: 'numeric', when: (value: unknown) => typeof value === 'number' },
      ],
      default: 'standard',
    })
    .addNode('FunctionNode', 'strict_path', track('strict'))
    .addNode('FunctionNode', 'standard_path', track('standard'))
    .addNode('FunctionNode', 'after_strict', track('after_strict'))
    .addNode('MergeNode', 'join')
    .addConnection('decide', 'strict', 'strict_path', 'value')
    .addConnection('decide', 'standard', 'standard_path', 'value')
    .addConnection('strict_path', 'value', 'after_strict', 'value')
    .addConnection('after_strict', 'value', 'join', 'a')
    .addConnection('standard_path', 'value', 'join', 'b')
    .build());
  return app;
}

describe('SwitchNode and MergeNode', () => {
  it('takes the matching branch, skips the other and its descendants, and merges', async () => {
    const ran: string[] = [];
    const result = valueOf(await invoke(routingApp(ran), 'route', { level: 'gdpr' }));
    expect(ran).toEqual(['strict', 'after_strict']);
    expect(result.decide).toEqual({ strict: 'gdpr' });
    expect(result.join).toEqual({ value: 'after_strict:strict:gdpr' });
    expect(Object.keys(result)).toEqual(['decide', 'strict_path', 'after_strict', 'join']);
  });

  it('falls back to the default output', async () => {
    const ran: string[] = [];
    const result = valueOf(await invoke(routingApp(ran), 'route', { level: 'basic' }));
    expect(ran).toEqual(['standard']);
    expect(result.join).toEqual({ value: 'standard:basic' });
  });

  it('skips the merge too when no branch was taken', async () => {
    const app = createApp();
    app.register('nowhere', new WorkflowBuilder()
      .addNode('SwitchNode', 'decide', { cases: [{ output: 'yes', equals: true }] })
      .addNode('MergeNode', 'join')
      .addConnection('decide', 'yes', 'join', 'a')
      .build());
    const result = valueOf(await invoke(app, 'nowhere', { value: false }));
    expect(result).toEqual({ decide: {} });
  });

  it('routes with a when() predicate', async () => {
    const ran: string[] = [];
    const app = routingApp(ran);
    const result = valueOf(await invoke(app, 'route', { level: 3 }));
    expect(result.decide).toEqual({ numeric: 3 });
    expect(ran).toEqual([]);
  });

  it.each([
    ['object', { value: { a: { x: 1 }, b: { y: 2 } } }],
    ['merge', { value: { x: 1, y: 2 } }],
    ['first', { value: { x: 1 } }],
  ] as const)('joins every delivered input in %s mode', async (mode, expected) => {
    const app = createApp();
    app.register('join', new WorkflowBuilder()
      .addNode('FunctionNode', 'one', { fn: () => ({ out: { x: 1 } }) })
      .addNode('FunctionNode', 'two', { fn: () => ({ out: { y: 2 } }) })
      .addNode('MergeNode', 'join', { mode })
      .addConnection('one', 'out', 'join', 'a')
      .addConnection('two', 'out', 'join', 'b')
      .build());
    expect(valueOf(await invoke(app, 'join')).join).toEqual(expected);
  });

  it('fails the merge node in merge mode when an input is not an object', async () => {
    const app = createApp();
    app.register('bad_merge', new WorkflowBuilder()
      .addNode('FunctionNode', 'one', { fn: () => ({ out: 5 }) })
      .addNode('MergeNode', 'join', { mode: 'merge' })
      .addConnection('one', 'out', 'join', 'a')
      .build());
    expect(errorOf(await invoke(app, 'bad_merge')).message).toBe('Workflow node "join" failed.');
  });
});
