import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateTaskResultSchema, McpError, RELATED_TASK_META_KEY } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Nexus } from '@nexus/core';
import { createMcpChannel } from '../src/index.js';
import { GOOD_TOKEN, createTestApp } from './support/apps.js';
import { addGatedOperations } from './support/task-app.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
let app: Nexus;
let url: string;
let client: Client;
let gated: ReturnType<typeof addGatedOperations>;

const submit = (name: string, args: Record<string, unknown>, onprogress?: (progress: Progress) => void) =>
  client.request({ method: 'tools/call', params: { name, arguments: args } }, CreateTaskResultSchema, { task: { ttl: 60_000 }, ...(onprogress ? { onprogress } : {}) });
const rpcError = async (promise: Promise<unknown>): Promise<McpError> => {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
};

beforeAll(async () => {
  app = createTestApp({ auth: true });
  gated = addGatedOperations(app);
  const channel = createMcpChannel({ port: 0 });
  app.addChannel(channel);
  await app.start();
  url = channel.address()!.url;
  client = new Client({ name: 'tasks-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${GOOD_TOKEN}` } } }));
});
afterAll(async () => {
  await client?.close();
  await app.stop();
});

describe('MCP tasks over Streamable HTTP', () => {
  it('advertises tasks (list, cancel, task-augmented tools/call) and taskSupport "optional" on every tool', async () => {
    expect(client.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === 'gated')?.execution).toEqual({ taskSupport: 'optional' });
    expect(tools.find((tool) => tool.name === 'echo')?.execution).toEqual({ taskSupport: 'optional' });
  });

  it('creates a task, reports it working, and tasks/result blocks until it completes', async () => {
    const { task } = await submit('gated', { key: 'flow' });
    expect(task).toMatchObject({ status: 'working', ttl: 86_400_000, pollInterval: expect.any(Number) });
    expect(Date.parse(task.createdAt)).not.toBeNaN();
    expect(Date.parse(task.lastUpdatedAt)).not.toBeNaN();
    await gated.started('flow');
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ taskId: task.taskId, status: 'working', statusMessage: 'started' });
    const result = client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    gated.release('flow');
    const done = (await result) as CallToolResult;
    expect(done.structuredContent).toEqual({ key: 'flow' });
    expect(JSON.parse((done.content[0] as { text: string }).text)).toEqual({ key: 'flow' });
    expect(done._meta?.[RELATED_TASK_META_KEY]).toEqual({ taskId: task.taskId });
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: 'completed' });
    expect(gated.runs('flow')).toBe(1);
  });

  it('drives the SDK task stream (taskCreated, taskStatus, result) for a task-augmented call', async () => {
    gated.release('stream');
    const seen: string[] = [];
    let result: CallToolResult | undefined;
    for await (const message of client.experimental.tasks.callToolStream({ name: 'gated', arguments: { key: 'stream' } }, CallToolResultSchema, { task: {} })) {
      seen.push(message.type);
      if (message.type === 'result') result = message.result as CallToolResult;
      if (message.type === 'error') throw message.error;
    }
    expect(seen[0]).toBe('taskCreated');
    expect(seen.at(-1)).toBe('result');
    expect(result?.structuredContent).toEqual({ key: 'stream' });
  });

  it('runs an ordinary operation as a task when the client asks', async () => {
    const { task } = await submit('echo', { message: 'later' });
    const done = (await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema)) as CallToolResult;
    expect(done.structuredContent).toEqual({ message: 'later' });
  });

  it('fails a task whose handler throws: statusMessage and result carry the problem, detail hidden', async () => {
    const { task } = await submit('broken_report', {});
    const result = (await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema)) as CallToolResult;
    expect(result.isError).toBe(true);
    expect((result.structuredContent as { error: { code: string } }).error.code).toBe('INTERNAL');
    expect(JSON.stringify(result)).not.toContain('secret database password');
    const got = await client.experimental.tasks.getTask(task.taskId);
    expect(got.status).toBe('failed');
    expect(got.statusMessage).toMatch(/^INTERNAL: /);
  });

  it('cancels a running task: its handler is aborted, the result is CANCELLED, a second cancel is -32602', async () => {
    const { task } = await submit('gated', { key: 'cancel-me' });
    const signal = await gated.started('cancel-me');
    const cancelled = await client.experimental.tasks.cancelTask(task.taskId);
    expect(cancelled).toMatchObject({ taskId: task.taskId, status: 'cancelled' });
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    const result = (await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema)) as CallToolResult;
    expect(result.isError).toBe(true);
    expect((result.structuredContent as { error: { code: string } }).error.code).toBe('CANCELLED');
    const again = await rpcError(client.experimental.tasks.cancelTask(task.taskId));
    expect(again.code).toBe(-32602);
    expect((again.data as { code: string }).code).toBe('CONFLICT');
  });

  it('lists the caller\'s tasks', async () => {
    gated.release('listed');
    const { task } = await submit('gated', { key: 'listed' });
    const { tasks, nextCursor } = await client.experimental.tasks.listTasks();
    expect(tasks.map((listed) => listed.taskId)).toContain(task.taskId);
    expect(nextCursor).toBeUndefined();
    expect((await rpcError(client.experimental.tasks.listTasks('no-such-cursor'))).code).toBe(-32602);
  });

  it('answers an unknown task id with -32602 carrying NOT_FOUND, on get, result and cancel', async () => {
    for (const ask of [
      () => client.experimental.tasks.getTask('00000000-0000-4000-8000-000000000000'),
      () => client.experimental.tasks.getTaskResult('00000000-0000-4000-8000-000000000000', CallToolResultSchema),
      () => client.experimental.tasks.cancelTask('00000000-0000-4000-8000-000000000000'),
    ]) {
      const error = await rpcError(ask());
      expect(error.code).toBe(-32602);
      expect((error.data as { code: string }).code).toBe('NOT_FOUND');
    }
  });

  it('refuses a task-augmented call with bad input as a JSON-RPC error, nothing queued', async () => {
    const error = await rpcError(submit('gated', { key: 7 }));
    expect(error.code).toBe(-32602);
    expect((error.data as { code: string }).code).toBe('INVALID_INPUT');
  });

  it('shows an anonymous caller (this app lets them through) nobody\'s task', async () => {
    const { task } = await submit('echo', { message: 'mine' });
    const response = await fetch(url, { method: 'POST', headers: HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tasks/get', params: { taskId: task.taskId } }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ error: { code: -32602, data: { code: 'NOT_FOUND' } } });
  });
});

describe('progress over Streamable HTTP', () => {
  it('a client without tasks calling a long-running tool waits for the job and gets its progress', async () => {
    const seen: Progress[] = [];
    const result = await client.callTool({ name: 'gated', arguments: { key: 'sync' } }, undefined, {
      onprogress: (progress) => {
        seen.push(progress);
        if (progress.progress === 1) gated.release('sync');
      },
    });
    expect(result.structuredContent).toEqual({ key: 'sync' });
    expect(seen.map((progress) => progress.progress)).toEqual([1, 2]);
    expect(seen[0]).toMatchObject({ total: 2, message: 'started' });
  });

  it('cancels the job of a waited long-running call when the client goes away', async () => {
    const controller = new AbortController();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'gated', arguments: { key: 'abandoned' } } });
    const pending = fetch(url, { method: 'POST', headers: { ...HEADERS, authorization: `Bearer ${GOOD_TOKEN}` }, body, signal: controller.signal }).catch(() => undefined);
    const signal = await gated.started('abandoned');
    controller.abort();
    await pending;
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(signal.aborted).toBe(true);
  });

  it('answers a tasks/result the client cancelled with CANCELLED, and the task goes on', async () => {
    const { task } = await submit('gated', { key: 'still-running' });
    await gated.started('still-running');
    const auth = { ...HEADERS, authorization: `Bearer ${GOOD_TOKEN}` };
    const waiting = await fetch(url, { method: 'POST', headers: auth, body: JSON.stringify({ jsonrpc: '2.0', id: 77, method: 'tasks/result', params: { taskId: task.taskId, _meta: { progressToken: 'w' } } }) });
    // The first progress event proves the request is waiting; then the client cancels it.
    const reader = waiting.body!.getReader();
    let text = '';
    while (!text.includes('notifications/progress')) text += new TextDecoder().decode((await reader.read()).value);
    await fetch(url, { method: 'POST', headers: auth, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 77, reason: 'enough' } }) });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += new TextDecoder().decode(chunk.value);
    const answer = text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)) as { id?: number; error?: { code: number; data: { code: string } } }).find((message) => message.id === 77);
    expect(answer?.error).toMatchObject({ code: -32000, data: { code: 'CANCELLED' } });
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: 'working' });
    gated.release('still-running');
  });

  it('tasks/result with a progress token streams the job\'s progress while it blocks', async () => {
    const { task } = await submit('gated', { key: 'watched' });
    await gated.started('watched');
    const seen: number[] = [];
    const result = client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema, {
      onprogress: (progress) => {
        seen.push(progress.progress);
        if (progress.progress === 1) gated.release('watched');
      },
    });
    expect(((await result) as CallToolResult).structuredContent).toEqual({ key: 'watched' });
    expect(seen).toEqual([1, 2]);
  });
});
