import { describe, expect, it } from '@jest/globals';
import { isNexusSetupError } from '@nexus/core';
import { NodeRegistry, WorkflowBuilder, createNodeRegistry } from '@nexus/workflow';

const noop = { fn: () => ({ out: 1 }) };

function setupErrorOf(build: () => unknown): { code: string; message: string } {
  try {
    build();
  } catch (error) {
    if (isNexusSetupError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a setup error');
}

describe('WorkflowBuilder.build()', () => {
  it.each([
    ['an empty workflow', () => new WorkflowBuilder().build(), 'NEXUS_ERR_WORKFLOW_EMPTY', 'at least one node'],
    ['an unknown node type', () => new WorkflowBuilder().addNode('NoSuchNode', 'mystery', {}).build(), 'NEXUS_ERR_WORKFLOW_UNKNOWN_NODE_TYPE', '"mystery"'],
    ['a duplicate node id', () => new WorkflowBuilder().addNode('FunctionNode', 'twice', noop).addNode('FunctionNode', 'twice', noop).build(), 'NEXUS_ERR_WORKFLOW_DUPLICATE_NODE', '"twice"'],
    ['a node id outside the grammar', () => new WorkflowBuilder().addNode('FunctionNode', 'bad id', noop).build(), 'NEXUS_ERR_WORKFLOW_INVALID_NODE_ID', '"bad id"'],
    ['a __proto__ node id', () => new WorkflowBuilder().addNode('FunctionNode', '__proto__', noop).build(), 'NEXUS_ERR_WORKFLOW_INVALID_NODE_ID', '__proto__'],
    ['a connection to a missing node', () => new WorkflowBuilder().addNode('FunctionNode', 'a', noop).addConnection('a', 'out', 'ghost', 'in').build(), 'NEXUS_ERR_WORKFLOW_MISSING_NODE', '"ghost"'],
    ['a connection from a missing node', () => new WorkflowBuilder().addNode('FunctionNode', 'a', noop).addConnection('ghost', 'out', 'a', 'in').build(), 'NEXUS_ERR_WORKFLOW_MISSING_NODE', '"ghost"'],
    ['an input mapping to a missing node', () => new WorkflowBuilder().addNode('FunctionNode', 'a', noop).addInputMapping('x', 'ghost', 'x').build(), 'NEXUS_ERR_WORKFLOW_MISSING_NODE', '"ghost"'],
    [
      'a connection from an undeclared output',
      () => new WorkflowBuilder().addNode('FunctionNode', 'a', { ...noop, outputs: ['out'] }).addNode('FunctionNode', 'b', noop).addConnection('a', 'typo', 'b', 'in').build(),
      'NEXUS_ERR_WORKFLOW_UNKNOWN_PORT',
      'node "a" has no output "typo"',
    ],
    [
      'a connection to an undeclared input',
      () => new WorkflowBuilder().addNode('FunctionNode', 'a', noop).addNode('HTTPRequestNode', 'call', { url: 'http://127.0.0.1:1/' }).addConnection('a', 'out', 'call', 'headers').build(),
      'NEXUS_ERR_WORKFLOW_UNKNOWN_PORT',
      'node "call" has no input "headers"',
    ],
    [
      'two connections into one input',
      () => new WorkflowBuilder().addNode('FunctionNode', 'a', noop).addNode('FunctionNode', 'b', noop).addNode('FunctionNode', 'c', noop)
        .addConnection('a', 'out', 'c', 'in').addConnection('b', 'out', 'c', 'in').build(),
      'NEXUS_ERR_WORKFLOW_DUPLICATE_INPUT',
      'input "in" of node "c"',
    ],
    [
      'a cycle',
      () => new WorkflowBuilder().addNode('FunctionNode', 'start', noop).addNode('FunctionNode', 'a', noop).addNode('FunctionNode', 'b', noop).addNode('FunctionNode', 'c', noop)
        .addConnection('start', 'out', 'a', 'first').addConnection('a', 'out', 'b', 'in').addConnection('b', 'out', 'c', 'in').addConnection('c', 'out', 'a', 'back').build(),
      'NEXUS_ERR_WORKFLOW_CYCLE',
      '"a" -> "b" -> "c" -> "a"',
    ],
    ['a node connected to itself', () => new WorkflowBuilder().addNode('FunctionNode', 'loop', noop).addConnection('loop', 'out', 'loop', 'in').build(), 'NEXUS_ERR_WORKFLOW_CYCLE', '"loop" -> "loop"'],
    ['a FunctionNode without fn', () => new WorkflowBuilder().addNode('FunctionNode', 'empty', {}).build(), 'NEXUS_ERR_WORKFLOW_INVALID_NODE_CONFIG', 'node "empty"'],
    ['CodeNode code that does not compile', () => new WorkflowBuilder().addNode('CodeNode', 'broken', { code: 'result = {' }).build(), 'NEXUS_ERR_WORKFLOW_INVALID_NODE_CONFIG', 'node "broken" (CodeNode)'],
    ['an HTTPRequestNode with a file: URL', () => new WorkflowBuilder().addNode('HTTPRequestNode', 'fetcher', { url: 'file:///etc/passwd' }).build(), 'NEXUS_ERR_WORKFLOW_INVALID_NODE_CONFIG', 'node "fetcher"'],
    ['a SwitchNode case with both equals and when', () => new WorkflowBuilder().addNode('SwitchNode', 'route', { cases: [{ output: 'x', equals: 1, when: () => true }] }).build(), 'NEXUS_ERR_WORKFLOW_INVALID_NODE_CONFIG', 'node "route"'],
    ['a non-positive node timeout', () => new WorkflowBuilder().addNode('FunctionNode', 'a', noop, { timeoutMs: 0 }).build(), 'NEXUS_ERR_WORKFLOW_INVALID_OPTIONS', 'node "a"'],
  ])('refuses %s with a setup error naming it', (_case, build, code, fragment) => {
    const error = setupErrorOf(build);
    expect(error.code).toBe(code);
    expect(error.message).toContain(fragment);
  });

  it('returns an immutable workflow whose toJSON lists nodes, edges and mappings in order', () => {
    const workflow = new WorkflowBuilder()
      .addNode('FunctionNode', 'load', { fn: function load() { return { rows: [] }; }, outputs: ['rows'] })
      .addNode('HTTPRequestNode', 'post', { url: 'https://user:pw@example.com/hook?key=secret', method: 'post', headers: { authorization: 'Bearer secret' } })
      .addConnection('load', 'rows', 'post', 'body')
      .addInputMapping('filters', 'post', 'query')
      .build();
    const json = workflow.toJSON();
    expect(json.nodes.map((node) => [node.id, node.type])).toEqual([['load', 'FunctionNode'], ['post', 'HTTPRequestNode']]);
    expect(json.nodes[0]?.config).toEqual({ fn: 'load', outputs: ['rows'] });
    expect(json.edges).toEqual([{ from: 'load', output: 'rows', to: 'post', input: 'body' }]);
    expect(json.inputMappings).toEqual([{ input: 'filters', to: 'post', port: 'query' }]);
    expect(json.contextInputs).toEqual(['tenant_id']);
    expect(JSON.stringify(json)).not.toContain('secret');
    expect(Object.isFrozen(workflow)).toBe(true);
    expect(Object.isFrozen(json.nodes)).toBe(true);
    expect(JSON.stringify(workflow.toJSON())).toBe(JSON.stringify(json));
  });

  it('leaves the built workflow unchanged when the builder is extended afterwards', () => {
    const builder = new WorkflowBuilder().addNode('FunctionNode', 'a', noop);
    const first = builder.build();
    builder.addNode('FunctionNode', 'b', noop);
    expect(first.nodeIds).toEqual(['a']);
    expect(builder.build().nodeIds).toEqual(['a', 'b']);
  });
});

describe('NodeRegistry', () => {
  it('lets a custom node type be registered by name and used', () => {
    const registry = createNodeRegistry().register({ name: 'Double', run: (inputs) => ({ value: Number(inputs.value) * 2 }) });
    const workflow = new WorkflowBuilder({ registry }).addNode('Double', 'twice').build();
    expect(workflow.toJSON().nodes[0]?.type).toBe('Double');
  });

  it('refuses a second type under a taken name', () => {
    const error = setupErrorOf(() => createNodeRegistry().register({ name: 'CodeNode', run: () => ({}) }));
    expect(error.code).toBe('NEXUS_ERR_WORKFLOW_DUPLICATE_NODE_TYPE');
  });

  it('refuses a type without run()', () => {
    const error = setupErrorOf(() => new NodeRegistry().register({ name: 'Broken' } as never));
    expect(error.code).toBe('NEXUS_ERR_WORKFLOW_INVALID_NODE_TYPE');
  });
});
