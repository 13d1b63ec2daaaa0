import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { NexusAuthPlugin, createAccessToken } from '@nexus/auth';
import { Nexus, silentLogger } from '@nexus/core';
import { createMcpChannel } from '../src/index.js';
import { refusal } from './support/refusal.js';
import { addGatedOperations } from './support/task-app.js';

const secret = 'channel-mcp-task-visibility-secret-32-bytes';
let app: Nexus;
let url: string;
let gated: ReturnType<typeof addGatedOperations>;
const clients: Client[] = [];

async function clientAs(subject: string, tenant: string, roles: string[] = ['analyst']): Promise<Client> {
  const token = createAccessToken({ subject, key: secret, roles, tenant, expiresIn: 600 });
  const client = new Client({ name: `${subject}@${tenant}`, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

beforeAll(async () => {
  app = new Nexus({ logger: silentLogger });
  app.addPlugin(NexusAuthPlugin.saasApp({ jwt: { secret }, rbac: { analyst: ['execute:*'], admin: ['*'] }, tenantIsolation: { adminRole: 'admin' } }));
  gated = addGatedOperations(app);
  const channel = createMcpChannel({ port: 0 });
  app.addChannel(channel);
  await app.start();
  url = channel.address()!.url;
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await app.stop();
});

describe('a task is visible only to its submitter in its tenant', () => {
  it('another principal, and the same principal in another tenant, get not-found on get, result, cancel; list omits it', async () => {
    const alice = await clientAs('alice', 'acme');
    const { task } = await alice.request({ method: 'tools/call', params: { name: 'gated', arguments: { key: 'private' } } }, CreateTaskResultSchema, { task: {} });
    await gated.started('private');
    for (const other of [await clientAs('bob', 'acme'), await clientAs('alice', 'globex')]) {
      expect(await refusal(other.experimental.tasks.getTask(task.taskId))).toEqual({ code: -32602, problem: 'NOT_FOUND' });
      expect(await refusal(other.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema))).toEqual({ code: -32602, problem: 'NOT_FOUND' });
      expect(await refusal(other.experimental.tasks.cancelTask(task.taskId))).toEqual({ code: -32602, problem: 'NOT_FOUND' });
      expect((await other.experimental.tasks.listTasks()).tasks.map((listed) => listed.taskId)).not.toContain(task.taskId);
    }
    // Still running: nobody else's cancel reached it.
    expect(await alice.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: 'working' });
    expect((await alice.experimental.tasks.listTasks()).tasks.map((listed) => listed.taskId)).toContain(task.taskId);
    gated.release('private');
    const result = (await alice.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema)) as CallToolResult;
    expect(result.structuredContent).toEqual({ key: 'private' });
  });

  it('answers tasks/get and tasks/list without a credential with 401 and a challenge', async () => {
    for (const body of [{ jsonrpc: '2.0', id: 1, method: 'tasks/get', params: { taskId: 'any' } }, { jsonrpc: '2.0', id: 2, method: 'tasks/list' }]) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(body) });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
  });

  it('answers tasks/list with a bad token with 401 and error="invalid_token", judged by the pipeline', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer forged' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tasks/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await response.json()).toMatchObject({ id: 3, error: { data: { code: 'UNAUTHENTICATED' } } });
  });

  it("lets the tenant's admin see and list a member's task, and nobody in another tenant", async () => {
    const alice = await clientAs('alice', 'acme');
    gated.release('audited');
    const { task } = await alice.request({ method: 'tools/call', params: { name: 'gated', arguments: { key: 'audited' } } }, CreateTaskResultSchema, { task: {} });
    const admin = await clientAs('root', 'acme', ['admin']);
    expect(((await admin.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema)) as CallToolResult).structuredContent).toEqual({ key: 'audited' });
    // What the admin can get, it can list (as the spec asks of tasks/list).
    expect((await admin.experimental.tasks.listTasks()).tasks.map((listed) => listed.taskId)).toContain(task.taskId);
    const foreignAdmin = await clientAs('root', 'globex', ['admin']);
    expect(await refusal(foreignAdmin.experimental.tasks.getTask(task.taskId))).toEqual({ code: -32602, problem: 'NOT_FOUND' });
    expect((await foreignAdmin.experimental.tasks.listTasks()).tasks.map((listed) => listed.taskId)).not.toContain(task.taskId);
  });
});
