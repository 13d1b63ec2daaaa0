import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Nexus } from '@nexus/core';
import { createMcpChannel } from '../src/index.js';
import { createTestApp } from './support/apps.js';
import { addGatedOperations } from './support/task-app.js';

let app: Nexus;
let url: string;
let gated: ReturnType<typeof addGatedOperations>;

beforeAll(async () => {
  app = createTestApp();
  gated = addGatedOperations(app);
  const channel = createMcpChannel({ port: 0, stateful: true });
  app.addChannel(channel);
  await app.start();
  url = channel.address()!.url;
});
afterAll(() => app.stop());

describe('tasks over HTTP in stateful mode', () => {
  it("delivers a task-augmented call's progress on the session's GET stream until the task ends", async () => {
    // The client opens its GET stream in the background after initialize: note when the server has answered it.
    let streamOpened!: () => void;
    const streamOpen = new Promise<void>((resolve) => (streamOpened = resolve));
    const watchingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'GET' && response.ok) streamOpened();
      return response;
    };
    const client = new Client({ name: 'stateful-tasks', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: watchingFetch }));
    await streamOpen;
    const seen: number[] = [];
    let sawFirst!: () => void;
    let sawLast!: () => void;
    const first = new Promise<void>((resolve) => (sawFirst = resolve));
    // The GET stream and the tasks/result answer are separate connections: wait for the last step itself.
    const last = new Promise<void>((resolve) => (sawLast = resolve));
    const { task } = await client.request({ method: 'tools/call', params: { name: 'gated', arguments: { key: 'session' } } }, CreateTaskResultSchema, {
      task: {},
      onprogress: (progress) => {
        seen.push(progress.progress);
        if (progress.progress === 1) sawFirst();
        if (progress.progress === 2) sawLast();
      },
    });
    await first;
    gated.release('session');
    const result = (await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema)) as CallToolResult;
    expect(result.structuredContent).toEqual({ key: 'session' });
    await last;
    expect(seen).toEqual([1, 2]);
    await client.close();
  });
});
