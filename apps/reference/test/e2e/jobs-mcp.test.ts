import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateTaskResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { killAll, mapLimit, startApp } from '../support/processes.js';
import type { AppProcess } from '../support/processes.js';
import { redisAvailable } from '../support/redis.js';
import { mint, newSecret } from '../support/tokens.js';
import { underCI } from '../support/ci.js';
import { jobDeployment } from '../support/worker-processes.js';

const available = await redisAvailable();
const describeWithRedis = available || underCI() ? describe : describe.skip;
const secret = newSecret();
const deployment = jobDeployment('e2e-jobs-mcp', secret);
const PROCESSES = ['api', 'w1', 'w2'];

/** The JSON-RPC error a request ends with (it must end with one): its code and the problem's. */
async function refusal(promise: Promise<unknown>): Promise<{ code: number; problem: unknown }> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(McpError);
  return { code: (error as McpError).code, problem: ((error as McpError).data as { code?: unknown } | undefined)?.code };
}

describeWithRedis('MCP tasks on one API instance and two --worker processes on one Redis', () => {
  let api: AppProcess;
  let workers: Array<Awaited<ReturnType<typeof deployment.startWorker>>> = [];
  const clients: Client[] = [];

  const clientAs = async (subject: string, tenant: string): Promise<Client> => {
    const client = new Client({ name: `${subject}@${tenant}`, version: '1.0.0' });
    const token = mint(secret, subject, ['executive'], tenant);
    await client.connect(new StreamableHTTPClientTransport(new URL(api.mcp), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    clients.push(client);
    return client;
  };
  const submit = async (client: Client, args: Record<string, unknown>): Promise<string> =>
    (await client.request({ method: 'tools/call', params: { name: 'tenant_report', arguments: args } }, CreateTaskResultSchema, { task: {} })).task.taskId;

  beforeAll(async () => {
    expect(available).toBe(true);
    const [started, ...rest] = await Promise.all([startApp({ ...deployment.env('api'), NEXUS_JOBS_WORKER: '0' }), deployment.startWorker('w1'), deployment.startWorker('w2')]);
    api = started as AppProcess;
    workers = rest as typeof workers;
  }, 30_000);
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
    await api?.stop();
    await killAll();
    deployment.removeAudit(PROCESSES);
  }, 60_000);

  it('completes 50 jobs submitted as MCP tasks exactly once each, shared by both workers', async () => {
    const eve = await clientAs('eve', 'acme');
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await submit(eve, { days: i + 1, delay_ms: 20 }));
    expect(new Set(ids).size).toBe(50);
    // tasks/result blocks until each job ends on a worker, and answers what a synchronous call would have.
    const results = await mapLimit(ids, 10, async (id) => (await eve.experimental.tasks.getTaskResult(id, CallToolResultSchema)) as CallToolResult);
    expect(results.map((result) => result.isError ?? false)).toEqual(ids.map(() => false));
    expect(results.map((result) => (result.structuredContent as { tenant_id: string; days: number }).days)).toEqual(ids.map((_id, i) => i + 1));
    expect(new Set(results.map((result) => (result.structuredContent as { tenant_id: string }).tenant_id))).toEqual(new Set(['acme']));
    const statuses = await mapLimit(ids, 10, async (id) => (await eve.experimental.tasks.getTask(id)).status);
    expect(statuses).toEqual(ids.map(() => 'completed'));
    const listed = new Set((await eve.experimental.tasks.listTasks()).tasks.map((task) => task.taskId));
    expect(ids.every((id) => listed.has(id))).toBe(true);

    const { w1, w2 } = await deployment.completionsOf(['w1', 'w2'], ids, 50);
    const runs = [...w1!, ...w2!];
    expect(runs).toHaveLength(50);
    expect(new Set(runs).size).toBe(50);
    expect(deployment.completions('api')).toHaveLength(0);
    // The API audited each submission, as the MCP channel's own (the completions are the workers').
    const submitted = await deployment.recordsOf('api', (record) => record.phase === 'submitted' && ids.includes(record.operationId as string), 50);
    expect(new Set(submitted.map((record) => `${String(record.channel)} ${String(record.principal)} ${String(record.tenant)}`))).toEqual(new Set(['mcp eve acme']));
  }, 120_000);

  it('hides a task from another principal and from the same principal in another tenant; its owner cancels it', async () => {
    const eve = await clientAs('eve', 'acme');
    const id = await submit(eve, { days: 30, delay_ms: 60_000 });
    for (const other of [await clientAs('mallory', 'acme'), await clientAs('eve', 'globex')]) {
      expect(await refusal(other.experimental.tasks.getTask(id))).toEqual({ code: -32602, problem: 'NOT_FOUND' });
      expect(await refusal(other.experimental.tasks.getTaskResult(id, CallToolResultSchema))).toEqual({ code: -32602, problem: 'NOT_FOUND' });
      expect(await refusal(other.experimental.tasks.cancelTask(id))).toEqual({ code: -32602, problem: 'NOT_FOUND' });
      expect((await other.experimental.tasks.listTasks()).tasks.map((task) => task.taskId)).not.toContain(id);
    }
    expect((await eve.experimental.tasks.getTask(id)).status).toBe('working');
    // Each refused lookup is audited as a 404 of its caller (get, result and cancel by each), naming the task and what was asked.
    const refused = await deployment.recordsOf('api', (record) => record.channel === 'mcp' && record.status === 404 && (record.principal === 'mallory' || record.tenant === 'globex'), 6);
    expect(refused).toHaveLength(6);
    expect(refused.map((record) => `${String(record.operationId === id)} ${String(record.phase)}`).sort()).toEqual([...Array(2).fill('true cancel'), ...Array(4).fill('true lookup')]);
    expect(await eve.experimental.tasks.cancelTask(id)).toMatchObject({ taskId: id, status: 'cancelled' });
    const result = (await eve.experimental.tasks.getTaskResult(id, CallToolResultSchema)) as CallToolResult;
    expect(result.isError).toBe(true);
    expect((result.structuredContent as { error: { code: string } }).error.code).toBe('CANCELLED');
  }, 120_000);

  it('gives a client without task support the result of a long-running call, with progress per step', async () => {
    const eve = await clientAs('eve', 'acme');
    const steps: number[] = [];
    const result = await eve.callTool({ name: 'tenant_report', arguments: { days: 3, delay_ms: 40 } }, undefined, { onprogress: (progress) => steps.push(progress.progress) });
    expect(result.structuredContent).toMatchObject({ tenant_id: 'acme', days: 3, records: 72 });
    // Progress crosses Redis from the worker, where quick steps may be merged: each arrives at most once, in order, the last always.
    expect(steps).toEqual([...new Set(steps)].sort((a, b) => a - b));
    expect(steps.at(-1)).toBe(4);
  }, 60_000);
});
