import { describe, expect, it } from '@jest/globals';
import { isNexusSetupError } from '@nexus/core';
import { WorkflowBuilder } from '../src/index.js';
import { createApp, errorOf, invoke } from './helpers.js';

/** A code node whose `result` is an object publishes its keys: connecting `result` is the usual port mistake. */
const objectResult = `result = { tenant_id: 'acme', compliance_level: 'standard' };`;

describe('code-node output wiring', () => {
  it('is checked at build() when the node declares its outputs', () => {
    const builder = new WorkflowBuilder()
      .addNode('CodeNode', 'process', { code: objectResult, outputs: ['tenant_id', 'compliance_level'] })
      .addNode('CodeNode', 'report', { code: 'result = input;' })
      .addConnection('process', 'result', 'report', 'input');
    let thrown: unknown;
    try {
      builder.build();
    } catch (error) {
      thrown = error;
    }
    expect(isNexusSetupError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(/node "process" has no output "result".*it has: tenant_id, compliance_level/);
  });

  it('otherwise fails the call with a problem that names the node, the missing output and the outputs it did produce', async () => {
    const app = createApp();
    const workflow = new WorkflowBuilder()
      .addNode('CodeNode', 'process', { code: objectResult })
      .addNode('CodeNode', 'report', { code: 'result = input;' })
      .addConnection('process', 'result', 'report', 'input')
      .build();
    app.register('wired', workflow);
    const error = errorOf(await invoke(app, 'wired'));
    expect(error.code).toBe('INTERNAL');
    const problem = error.toProblem('req-1');
    expect(problem.detail).toContain('"process"');
    expect(problem.detail).toContain('no output "result"');
    expect(problem.detail).toContain('tenant_id, compliance_level');
    expect(problem).toMatchObject({ node: 'process', output: 'result' });
  });
});
