import { describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import type { RunnableWorkflow } from '@nexus/core';
import { z } from 'zod';
import { createCli, createRemoteCli } from '../src/index.js';
import { serveApi } from './support/api-server.js';
import { bufferedIo } from './support/io.js';

const graph = {
  nodes: [{ id: 'fetch', kind: 'task' }, { id: 'score', kind: 'task' }],
  edges: [{ from: 'fetch', to: 'score' }],
};
const workflow: RunnableWorkflow = {
  kind: 'workflow',
  run: async (inputs) => ({ score: inputs }),
  toJSON: () => graph,
};

const app = new Nexus({ logger: silentLogger });
app.register('scoring', workflow, { description: 'Scores a user.', input: z.object({ user: z.string() }), public: true });
app.handler('ping', { description: 'Pong.', input: z.object({}), public: true }, () => ({ pong: true }));
const server = serveApi(app);

const modes = {
  'in-process': (argv: string[], io: ReturnType<typeof bufferedIo>['io']) => createCli(app, { scriptName: 'my-app' }).run(argv, io),
  remote: (argv: string[], io: ReturnType<typeof bufferedIo>['io']) => createRemoteCli().run(['--url', server.url, ...argv], io),
};

describe.each(Object.entries(modes))('describe and list of a workflow (%s)', (_mode, run) => {
  const call = async (argv: string[]) => {
    const { io, out, err } = bufferedIo();
    const code = await run(argv, io);
    return { code, stdout: out.text, stderr: err.text };
  };

  it("shows the workflow's graph (nodes and edges) with its schema", async () => {
    const result = await call(['describe', 'scoring']);
    expect(result.code).toBe(0);
    const described = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(described).toMatchObject({ name: 'scoring', kind: 'workflow', description: 'Scores a user.' });
    expect(described.inputSchema).toMatchObject({ properties: { user: { type: 'string' } } });
    expect(described.workflow).toEqual(graph);
  });

  it('leaves the graph out of a handler and out of the list', async () => {
    const handler = JSON.parse((await call(['describe', 'ping'])).stdout) as Record<string, unknown>;
    expect('workflow' in handler).toBe(false);
    const listed = JSON.parse((await call(['list'])).stdout) as Record<string, unknown>[];
    expect(listed.map((entry) => entry.name).sort()).toEqual(['ping', 'scoring']);
    expect(listed.every((entry) => !('workflow' in entry))).toBe(true);
  });
});
