import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Nexus } from '@nexus/core';

/**
 * A minimal HTTP server speaking the API channel's protocol over `app.invoke`, so remote mode is tested over real sockets
 * independently of the Express channel.
 */
export async function startTestServer(app: Nexus): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => void handle(app, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
}

async function handle(app: Nexus, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const aborted = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) aborted.abort();
  });
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const tenant = req.headers['x-tenant-id'];
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const init = {
    channel: 'api',
    credential: token ? { kind: 'bearer' as const, token } : { kind: 'none' as const },
    ...(typeof req.headers['x-request-id'] === 'string' ? { requestId: req.headers['x-request-id'] } : {}),
    transport: {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      ...(typeof tenant === 'string' ? { requestedTenant: tenant } : {}),
      ...(typeof req.headers['idempotency-key'] === 'string' ? { idempotencyKey: req.headers['idempotency-key'] } : {}),
    },
    signal: aborted.signal,
  };
  const fail = (result: { requestId: string; error: { status: number; toProblem(id: string): unknown } }) => {
    res.setHeader('x-request-id', result.requestId);
    send(res, result.error.status, result.error.toProblem(result.requestId), 'application/problem+json');
  };
  if (path === '/health') {
    const report = await app.healthCheck();
    return send(res, report.status === 'unhealthy' ? 503 : 200, report);
  }
  const execute = /^\/workflows\/([^/]+)\/execute$/.exec(path);
  if (execute && req.method === 'POST') {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { inputs?: unknown };
    const result = await app.invoke({ ...init, operation: decodeURIComponent(execute[1]!), input: body.inputs ?? {} });
    if (!result.ok) return fail(result);
    res.setHeader('x-request-id', result.requestId);
    if (result.annotations.idempotency?.replayed) res.setHeader('idempotent-replayed', 'true');
    return send(res, 200, { result: result.value, requestId: result.requestId, executionTimeMs: result.durationMs });
  }
  const one = /^\/workflows(?:\/([^/]+))?$/.exec(path);
  if (one && req.method === 'GET') {
    const listed = await app.dispatch({ ...init, purpose: 'list' });
    if (!listed.ok) return fail(listed);
    const workflows = listed.value.map(({ name, kind, description, permission, inputSchema }) => ({ name, kind, description, permission, inputSchema }));
    if (one[1] === undefined) return send(res, 200, { workflows });
    const found = listed.value.find((operation) => operation.name === decodeURIComponent(one[1]!));
    return found ? send(res, 200, { ...workflows.find((entry) => entry.name === found.name), ...(found.workflow === undefined ? {} : { workflow: found.workflow }) }) : send(res, 404, { code: 'NOT_FOUND', detail: 'Unknown operation.', requestId: listed.requestId }, 'application/problem+json');
  }
  send(res, 404, { code: 'NOT_FOUND', detail: 'No such route.' }, 'application/problem+json');
}
