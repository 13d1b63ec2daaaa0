import { describe, expect, it } from '@jest/globals';
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createTestApp } from './support/apps.js';
import { connectWithStream, serveMcp } from './support/sessions.js';
import { addGatedOperations } from './support/task-app.js';

const app = createTestApp();
const gated = addGatedOperations(app);
const server = serveMcp(app, { stateful: true });

describe('tasks over HTTP in stateful mode', () => {
  it("delivers a task-augmented call's progress on the session's GET stream until the task ends", async () => {
    const { client, streamOpen } = await connectWithStream(server.url, 'stateful-tasks');
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
