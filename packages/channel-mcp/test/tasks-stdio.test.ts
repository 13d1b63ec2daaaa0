import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, CreateTaskResultSchema, TaskStatusNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Nexus } from '@nexus/core';
import { GOOD_TOKEN, createTestApp } from './support/apps.js';
import { addGatedOperations, stdioClient } from './support/task-app.js';

let app: Nexus;
let client: Client;
let gated: ReturnType<typeof addGatedOperations>;

beforeAll(async () => {
  app = createTestApp({ auth: true });
  gated = addGatedOperations(app);
  await app.start();
  ({ client } = await stdioClient(app, { NEXUS_TOKEN: GOOD_TOKEN }));
});
afterAll(async () => {
  await client?.close();
  await app.stop();
});

describe('progress and tasks over stdio (the SDK client)', () => {
  it('delivers notifications/progress of an ordinary synchronous call', async () => {
    const seen: number[] = [];
    const result = await client.callTool({ name: 'progress', arguments: {} }, undefined, { onprogress: (progress) => seen.push(progress.progress) });
    expect(result.structuredContent).toEqual({ done: true });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('runs the task flow: create, get, result, list, cancel', async () => {
    expect(client.getServerCapabilities()?.tasks?.requests?.tools?.call).toEqual({});
    const { task } = await client.request({ method: 'tools/call', params: { name: 'gated', arguments: { key: 'stdio' } } }, CreateTaskResultSchema, { task: {} });
    await gated.started('stdio');
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: 'working' });
    expect((await client.experimental.tasks.listTasks()).tasks.map((listed) => listed.taskId)).toContain(task.taskId);
    gated.release('stdio');
    expect(((await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema)) as CallToolResult).structuredContent).toEqual({ key: 'stdio' });

    const { task: doomed } = await client.request({ method: 'tools/call', params: { name: 'gated', arguments: { key: 'stdio-cancel' } } }, CreateTaskResultSchema, { task: {} });
    await gated.started('stdio-cancel');
    expect(await client.experimental.tasks.cancelTask(doomed.taskId)).toMatchObject({ status: 'cancelled' });
  });

  it('keeps the progress token of a task-augmented call valid until the task ends', async () => {
    const seen: number[] = [];
    let sawFirst!: () => void;
    const first = new Promise<void>((resolve) => (sawFirst = resolve));
    const { task } = await client.request({ method: 'tools/call', params: { name: 'gated', arguments: { key: 'stdio-progress' } } }, CreateTaskResultSchema, {
      task: {},
      onprogress: (progress) => {
        seen.push(progress.progress);
        if (progress.progress === 1) sawFirst();
      },
    });
    await first;
    gated.release('stdio-progress');
    await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(seen).toContain(1);
    expect(seen.at(-1)).toBe(2);
  });

  it('sends notifications/tasks/status when a task changes status, up to its end', async () => {
    const seen: Array<{ taskId: string; status: string }> = [];
    let ended!: () => void;
    const end = new Promise<void>((resolve) => (ended = resolve));
    client.setNotificationHandler(TaskStatusNotificationSchema, ({ params }) => {
      seen.push({ taskId: params.taskId, status: params.status });
      if (params.status === 'completed') ended();
    });
    const { task } = await client.request({ method: 'tools/call', params: { name: 'gated', arguments: { key: 'status' } } }, CreateTaskResultSchema, { task: {} });
    expect(task.status).toBe('working');
    await gated.started('status');
    gated.release('status');
    await end;
    expect(seen).toEqual([{ taskId: task.taskId, status: 'completed' }]);
  });
});
