import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, catalogueEntry, createJsonLogger, isNexusSetupError, silentLogger } from '../src/index.js';
import { describeOperation } from '../src/operation.js';

const app = () => new Nexus({ logger: silentLogger });

describe('operation metadata', () => {
  it('publishes output, annotations, deprecation and examples in the descriptor', () => {
    const nexus = app().handler(
      'remove',
      {
        description: 'Removes a thing.',
        input: z.object({ id: z.string() }),
        output: z.object({ removed: z.number().int(), at: z.string().default('now') }),
        annotations: { title: 'Remove a thing', destructive: true, idempotent: true },
        deprecated: true,
        examples: [{ summary: 'one', input: { id: 'a' }, output: { removed: 1, at: 'now' } }],
      },
      () => ({ removed: 1 }),
    );
    const descriptor = describeOperation(nexus.operation('remove')!);
    // The output side: a default makes the field present in what callers receive.
    expect(descriptor.outputSchema).toMatchObject({ type: 'object', properties: { removed: { type: 'integer' }, at: { type: 'string' } }, required: ['removed', 'at'] });
    expect(descriptor.annotations).toEqual({ title: 'Remove a thing', destructive: true, idempotent: true });
    expect(descriptor.deprecated).toBe(true);
    expect(descriptor.examples).toEqual([{ summary: 'one', input: { id: 'a' }, output: { removed: 1, at: 'now' } }]);
    const listed = catalogueEntry(descriptor);
    expect(listed).toMatchObject({ outputSchema: descriptor.outputSchema, annotations: descriptor.annotations, deprecated: true });
    expect('examples' in listed).toBe(false);
    expect(catalogueEntry(descriptor, { withGraph: true }).examples).toHaveLength(1);
  });

  it('marks a long-running operation in its catalogue entry, list and single alike', () => {
    const nexus = app().handler('report', { description: 'A report.', input: z.object({}), longRunning: true }, () => ({}));
    const descriptor = describeOperation(nexus.operation('report')!);
    expect(catalogueEntry(descriptor).longRunning).toBe(true);
    expect(catalogueEntry(descriptor, { withGraph: true }).longRunning).toBe(true);
    const plain = describeOperation(app().handler('plain', { description: 'd', input: z.object({}) }, () => ({})).operation('plain')!);
    expect('longRunning' in catalogueEntry(plain)).toBe(false);
  });

  it('leaves the fields out when an operation declares none', () => {
    const descriptor = describeOperation(app().handler('plain', { description: 'd', input: z.object({}) }, () => ({})).operation('plain')!);
    expect(Object.keys(descriptor).sort()).toEqual(['description', 'inputSchema', 'kind', 'name', 'permission', 'public', 'tags']);
  });

  it('accepts the same metadata on registered workflows', () => {
    const workflow = { kind: 'workflow' as const, run: async () => ({}), toJSON: () => ({}) };
    const nexus = app().register('flow', workflow, { annotations: { readOnly: true }, output: z.object({ done: z.boolean() }) });
    expect(describeOperation(nexus.operation('flow')!)).toMatchObject({ annotations: { readOnly: true }, outputSchema: { type: 'object' } });
  });

  it.each([
    ['a non-boolean hint', { annotations: { destructive: 'yes' } }],
    ['readOnly and destructive at once', { annotations: { readOnly: true, destructive: true } }],
    ['examples without input', { examples: [{ output: 1 }] }],
    ['a non-boolean deprecated', { deprecated: 'soon' }],
  ])('refuses %s at registration', (_label, extra) => {
    let thrown: unknown;
    try {
      app().handler('bad', { description: 'd', input: z.object({}), ...(extra as object) }, () => ({}));
    } catch (error) {
      thrown = error;
    }
    expect(isNexusSetupError(thrown)).toBe(true);
    expect((thrown as { code: string }).code).toBe('NEXUS_ERR_INVALID_CONFIG');
  });
});

describe('a result that fails its output schema', () => {
  it('is INTERNAL for the caller, and logged once with the request id and the failing paths', async () => {
    const lines: Record<string, unknown>[] = [];
    const nexus = new Nexus({ logger: createJsonLogger({ write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) }) });
    nexus.handler('liar', { description: 'd', input: z.object({}), output: z.object({ count: z.number() }) }, () => ({ count: 'secret-value' }) as never);
    const result = await nexus.invoke({ channel: 't', operation: 'liar', requestId: 'req-output-1' });
    expect(!result.ok && result.error.toProblem(result.requestId)).toMatchObject({ code: 'INTERNAL', requestId: 'req-output-1' });
    expect(JSON.stringify(!result.ok && result.error.toProblem(result.requestId))).not.toContain('secret-value');
    const logged = lines.filter((line) => line.level === 'error');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ requestId: 'req-output-1', operation: 'liar' });
    expect((logged[0]!.error as { message: string }).message).toMatch(/^output of "liar" failed its schema: .*"path":"count"/);
  });
});
