import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, isNexusSetupError, silentLogger } from '../src/index.js';
import type { RunnableWorkflow } from '../src/index.js';

const input = z.object({});
const noop = () => ({});
const app = () => new Nexus({ logger: silentLogger });

function setupCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (isNexusSetupError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('registration', () => {
  it.each([['has space'], [''], ['x'.repeat(129)], ['a/b'], [42]])('refuses the name %p with NEXUS_ERR_INVALID_NAME', (name) => {
    expect(setupCode(() => app().handler(name as string, { description: 'd', input }, noop))).toBe('NEXUS_ERR_INVALID_NAME');
  });

  it('accepts names of letters, digits, dot, dash and underscore up to 128 characters', () => {
    expect(() => app().handler('Ab0_.-', { description: 'd', input }, noop).handler('y'.repeat(128), { description: 'd', input }, noop)).not.toThrow();
  });

  it('refuses a duplicate name', () => {
    const nexus = app().handler('echo', { description: 'd', input }, noop);
    expect(setupCode(() => nexus.handler('echo', { description: 'd', input }, noop))).toBe('NEXUS_ERR_DUPLICATE_OPERATION');
  });

  it('refuses a schema that is not zod', () => {
    expect(setupCode(() => app().handler('x', { description: 'd', input: { type: 'object' } as never }, noop))).toBe('NEXUS_ERR_INVALID_SCHEMA');
  });

  it.each([['a string', z.string()], ['a number', z.number()], ['anything', z.any()], ['a union with a string', z.union([z.object({ a: z.string() }), z.string()])]])(
    'refuses an input that is %s, since channels pass inputs by name',
    (_label, schema) => {
      expect(setupCode(() => app().handler('x', { description: 'd', input: schema }, noop))).toBe('NEXUS_ERR_INVALID_SCHEMA');
    },
  );

  it.each([['a record', z.record(z.string(), z.number())], ['a union of objects', z.union([z.object({ a: z.string() }), z.object({ b: z.number() })])], ['an intersection', z.intersection(z.object({ a: z.string() }), z.object({ b: z.string() }))]])(
    'accepts an input that is %s',
    (_label, schema) => {
      expect(() => app().handler('x', { description: 'd', input: schema }, noop)).not.toThrow();
    },
  );

  it('refuses a missing handler function', () => {
    expect(setupCode(() => app().handler('x', { description: 'd', input }, undefined as never))).toBe('NEXUS_ERR_MISSING_HANDLER');
  });

  it('refuses a workflow that was not built', () => {
    expect(setupCode(() => app().register('wf', { addNode() {} } as never))).toBe('NEXUS_ERR_MISSING_HANDLER');
  });

  it('refuses a non-positive timeout', () => {
    expect(setupCode(() => app().handler('x', { description: 'd', input, timeoutMs: 0 }, noop))).toBe('NEXUS_ERR_INVALID_CONFIG');
  });

  it('exposes the input as JSON Schema and defaults the permission', () => {
    const nexus = app().handler('greet', { description: 'Greets', input: z.object({ name: z.string().describe('Who') }) }, noop);
    const definition = nexus.operation('greet')!;
    expect(definition.permission).toBe('execute:greet');
    expect(definition.inputSchema).toMatchObject({ type: 'object', properties: { name: { type: 'string', description: 'Who' } }, required: ['name'] });
  });

  it('registers and deregisters a workflow, telling listeners', async () => {
    const nexus = app();
    const changes: number[] = [];
    nexus.onOperationsChanged(() => changes.push(nexus.allOperations().length));
    const workflow: RunnableWorkflow = { kind: 'workflow', run: async (inputs) => ({ node: inputs }), toJSON: () => ({ nodes: [] }) };
    nexus.register('wf', workflow);
    expect(nexus.operation('wf')?.kind).toBe('workflow');
    const result = await nexus.invoke({ channel: 'test', operation: 'wf', input: { a: 1 } });
    expect(result).toMatchObject({ ok: true, value: { node: { a: 1 } } });
    expect(nexus.deregister('wf')).toBe(true);
    expect(changes).toEqual([1, 0]);
  });

  it('refuses plugins whose dependencies are missing, and duplicates', () => {
    const nexus = app();
    expect(setupCode(() => nexus.addPlugin({ name: 'b', dependencies: ['a'], setup() {} }))).toBe('NEXUS_ERR_PLUGIN_DEPENDENCY');
    nexus.addPlugin({ name: 'a', setup() {} });
    expect(setupCode(() => nexus.addPlugin({ name: 'a', setup() {} }))).toBe('NEXUS_ERR_DUPLICATE_PLUGIN');
  });
});
