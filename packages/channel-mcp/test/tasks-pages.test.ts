import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { NexusAuthPlugin, createAccessToken } from '@nexus/auth';
import { Nexus, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { createMcpChannel } from '../src/index.js';
import { refusal } from './support/refusal.js';

const secret = 'channel-mcp-task-pages-secret-32-bytes!!';
let app: Nexus;
let url: string;
const clients: Client[] = [];

async function clientAs(subject: string, tenant: string): Promise<Client> {
  const token = createAccessToken({ subject, key: secret, roles: ['analyst'], tenant, expiresIn: 600 });
  const client = new Client({ name: `${subject}@${tenant}`, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

const submit = async (client: Client) =>
  (await client.request({ method: 'tools/call', params: { name: 'queued', arguments: {} } }, CreateTaskResultSchema, { task: {} })).task.taskId;

beforeAll(async () => {
  app = new Nexus({ logger: silentLogger });
  app.addPlugin(NexusAuthPlugin.saasApp({ jwt: { secret }, rbac: { analyst: ['execute:*'] }, tenantIsolation: { adminRole: 'admin' } }));
  app.handler('queued', { description: 'Stays queued.', input: z.object({}), longRunning: true }, async () => ({}));
  // Worked nowhere: the tasks stay queued while they are paged.
  app.configureJobs({ worker: false });
  const channel = createMcpChannel({ port: 0 });
  app.addChannel(channel);
  await app.start();
  url = channel.address()!.url;
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await app.stop();
});

describe('tasks/list pages', () => {
  it('pages 250 tasks as 100, 100 and 50 by nextCursor; a task created between pages moves none', async () => {
    const alice = await clientAs('alice', 'acme');
    const created: string[] = [];
    for (let i = 0; i < 250; i++) created.push(await submit(alice));
    const first = await alice.experimental.tasks.listTasks();
    const late = await submit(alice);
    const second = await alice.experimental.tasks.listTasks(first.nextCursor);
    const third = await alice.experimental.tasks.listTasks(second.nextCursor);
    expect([first, second, third].map((page) => page.tasks.length)).toEqual([100, 100, 50]);
    expect(third.nextCursor).toBeUndefined();
    const seen = [first, second, third].flatMap((page) => page.tasks.map((task) => task.taskId));
    expect(seen).toEqual([...created].reverse());
    expect(seen).not.toContain(late);
  }, 60_000);

  it('refuses a malformed cursor, and one given to another principal or tenant, with -32602 INVALID_INPUT', async () => {
    const alice = await clientAs('alice', 'acme');
    const { nextCursor } = await alice.experimental.tasks.listTasks();
    expect(nextCursor).toEqual(expect.any(String));
    for (const other of [await clientAs('bob', 'acme'), await clientAs('alice', 'globex')]) {
      expect(await refusal(other.experimental.tasks.listTasks(nextCursor))).toEqual({ code: -32602, problem: 'INVALID_INPUT' });
    }
    for (const cursor of ['not a cursor', 'e30', 'WzEsIngiLDEsIngiXQ']) expect(await refusal(alice.experimental.tasks.listTasks(cursor))).toEqual({ code: -32602, problem: 'INVALID_INPUT' });
  });
});
