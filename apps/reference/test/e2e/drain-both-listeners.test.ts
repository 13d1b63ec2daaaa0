import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { burst } from '../support/load.js';
import type { LoadResult } from '../support/load.js';
import { killAll, startApp } from '../support/processes.js';
import { mint, newSecret } from '../support/tokens.js';

const CALLS = 100;
const LATE_CALLS = 20;
const dirs: string[] = [];

afterAll(async () => {
  await killAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The request id a complete 200 answer carries: the API's `requestId`, MCP's `_meta['nexus/requestId']`. */
function requestIdOf(result: LoadResult): string | undefined {
  if (!result.ok || result.status !== 200) return undefined;
  const body = JSON.parse(result.body) as { requestId?: string; result?: { _meta?: Record<string, string> } };
  return body.requestId ?? body.result?._meta?.['nexus/requestId'];
}

/** Readiness on a connection of its own (no pooled socket to race the server's close). */
function readiness(api: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${api}/health/ready`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
}

function describeFailures(results: readonly LoadResult[]): string[] {
  return results.filter((result) => !result.ok || result.status !== 200).map((result) => (result.ok ? `${result.status}: ${result.body.slice(0, 120)}` : result.error));
}

describe('SIGTERM under load on both listeners (one drain in core)', () => {
  it('keeps HTTP and MCP accepting through the drain delay, answers every accepted request, and audits every answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-drain-'));
    dirs.push(dir);
    const audit = join(dir, 'audit.log');
    const secret = newSecret();
    const server = await startApp({
      NEXUS_JWT_SECRET: secret,
      NEXUS_AUDIT_FILE: audit,
      NEXUS_DRAIN_DELAY_MS: '8000', // the late bursts below must connect within it, however loaded the machine
      NEXUS_RATE_LIMIT_RPM: '100000',
      NEXUS_RATE_LIMIT_BURST: '1000',
    });
    const token = mint(secret, 'e2e-drain', ['developer'], 'acme');
    const apiHeaders = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const mcpHeaders = { ...apiHeaders, accept: 'application/json, text/event-stream' };
    const apiBody = JSON.stringify({ inputs: { message: 'x'.repeat(256) } });
    const mcpBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(256) } } });
    const apiLoad = () => burst(`${server.api}/workflows/echo/execute`, CALLS, apiHeaders, apiBody);
    const mcpLoad = () => burst(server.mcp, CALLS, mcpHeaders, mcpBody);

    const first = [apiLoad(), mcpLoad()];
    await Promise.all(first.map((load) => load.connected));
    server.child.kill('SIGTERM');

    // The drain has begun once readiness answers 503; requests arriving now must still be served.
    const seen: (number | string)[] = [];
    while (seen.at(-1) !== 503) {
      // A server that stopped before readiness was seen at 503 fails here rather than spinning.
      if (server.child.exitCode !== null) throw new Error(`the server exited before readiness answered 503: ${seen.join(', ')}`);
      seen.push(await readiness(server.api));
    }
    const late = [
      burst(`${server.api}/workflows/echo/execute`, LATE_CALLS, apiHeaders, apiBody),
      burst(server.mcp, LATE_CALLS, mcpHeaders, mcpBody),
    ];
    const [apiFirst, mcpFirst, apiLate, mcpLate] = await Promise.all([...first, ...late].map((load) => load.done));
    const exit = await server.exited;

    expect({ api: describeFailures(apiFirst!), mcp: describeFailures(mcpFirst!) }).toEqual({ api: [], mcp: [] });
    // Nothing that arrived during the drain delay was refused, on either listener.
    expect({ api: describeFailures(apiLate!), mcp: describeFailures(mcpLate!) }).toEqual({ api: [], mcp: [] });
    expect(exit).toEqual({ code: 0, signal: null });

    // Every answered request has its audit record, flushed before the process exited.
    const audited = new Set(
      readFileSync(audit, 'utf8').split('\n').slice(0, -1).map((line) => (JSON.parse(line) as { requestId: string }).requestId),
    );
    const answered = [...apiFirst!, ...mcpFirst!, ...apiLate!, ...mcpLate!].map(requestIdOf);
    expect(answered.filter((id) => id === undefined)).toEqual([]);
    expect(answered.filter((id) => !audited.has(id!))).toEqual([]);
    expect(answered).toHaveLength(2 * (CALLS + LATE_CALLS));
  }, 60_000);

  it('handles SIGINT like SIGTERM, once: a second signal during the drain neither restarts nor cuts it', async () => {
    // A drain delay no loaded machine outlasts between the first signal and the readiness poll
    // (the listeners close after it, and the poll would meet a refused connection).
    const server = await startApp({ NEXUS_JWT_SECRET: newSecret(), NEXUS_DRAIN_DELAY_MS: '8000' });
    server.child.kill('SIGINT');
    // Sent right after the listening line: the handler must already be in place.
    while (!server.stderr().includes('"stopping"') && server.child.exitCode === null && server.child.signalCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    server.child.kill('SIGINT');
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr().split('"stopping"').length - 1).toBe(1);
  }, 60_000);
});
