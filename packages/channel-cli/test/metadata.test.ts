import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { EXIT_CODES, createCli } from '../src/index.js';
import { bufferedIo } from './support/io.js';

const app = new Nexus({ logger: silentLogger });
let erased = 0;
app.handler(
  'erase',
  {
    description: 'Erases everything.',
    input: z.object({ id: z.string().optional() }),
    output: z.object({ erased: z.number() }),
    annotations: { title: 'Erase', destructive: true },
    examples: [{ input: { id: 'x' } }],
  },
  () => ({ erased: ++erased }),
);
app.handler('look', { description: 'Reads.', input: z.object({}), annotations: { readOnly: true } }, () => ({ ok: true }));
app.handler('report', { description: 'Runs as a job.', input: z.object({}), longRunning: true }, () => ({ ok: true }));
const cli = createCli(app);

/** A terminal on stdin that types `answer` when asked. */
function terminal(answer: string | undefined) {
  const { io, out, err } = bufferedIo({ tty: true });
  const stdin = Object.assign(Readable.from(answer === undefined ? [] : [`${answer}\n`]), { isTTY: true });
  return { io: { ...io, stdin }, out, err };
}

describe('describe shows the operation metadata', () => {
  it('includes the output schema, annotations and examples', async () => {
    const { io, out } = bufferedIo();
    expect(await cli.run(['describe', 'erase'], io)).toBe(0);
    const described = JSON.parse(out.text) as Record<string, unknown>;
    expect(described.outputSchema).toMatchObject({ type: 'object', properties: { erased: { type: 'number' } } });
    expect(described.annotations).toEqual({ title: 'Erase', destructive: true });
    expect(described.examples).toEqual([{ input: { id: 'x' } }]);
  });
});

describe('list shows which operations run as jobs', () => {
  it('marks long-running operations with longRunning and leaves the field off the others', async () => {
    const { io, out } = bufferedIo();
    expect(await cli.run(['list'], io)).toBe(0);
    const listed = JSON.parse(out.text) as Array<{ name: string; longRunning?: boolean }>;
    expect(Object.fromEntries(listed.map((entry) => [entry.name, entry.longRunning]))).toEqual({ erase: undefined, look: undefined, report: true });
  });
});

describe('destructive operations ask first on a terminal', () => {
  it('runs after "y"', async () => {
    const before = erased;
    const { io, out, err } = terminal('y');
    expect(await cli.run(['run', 'erase'], io)).toBe(0);
    expect(err.text).toMatch(/"erase" is destructive.*\[y\/N\]/s);
    expect(JSON.parse(out.text)).toEqual({ erased: before + 1 });
  });

  it.each([['n'], [''], [undefined]])('does not run after %p (exit 130)', async (answer) => {
    const before = erased;
    const { io, out, err } = terminal(answer);
    expect(await cli.run(['run', 'erase'], io)).toBe(EXIT_CODES.CANCELLED);
    expect(out.text).toBe('');
    expect(err.text).toMatch(/not confirmed/i);
    expect(erased).toBe(before);
  });

  it('skips the question with --yes', async () => {
    const { io, err } = terminal(undefined);
    expect(await cli.run(['run', 'erase', '--yes'], io)).toBe(0);
    expect(err.text).toBe('');
  });

  it('runs without asking when stdin is not a terminal, as scripts expect', async () => {
    const { io, err } = bufferedIo({ tty: true });
    expect(await cli.run(['run', 'erase'], io)).toBe(0);
    expect(err.text).toBe('');
  });

  it('never asks for an operation that is not destructive', async () => {
    const { io, err } = terminal(undefined);
    expect(await cli.run(['run', 'look'], io)).toBe(0);
    expect(err.text).toBe('');
  });
});
