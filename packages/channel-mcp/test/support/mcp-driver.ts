import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ConformanceDriver, ConformanceOutcome, RawConformanceCall } from '@nexus/core/testing';
import { failureOf, outcomeOf } from './outcome.js';

/**
 * A conformance driver speaking MCP through the SDK's own Client. One client per token: over
 * stdio the token is fixed per server process, over HTTP it is a header of the transport.
 */
export function mcpDriver(
  transportFor: (token: string | undefined) => Transport | Promise<Transport>,
  keyOf: (token: string | undefined) => string = (token) => token ?? '',
  invokeRaw?: (call: RawConformanceCall) => Promise<ConformanceOutcome>,
): ConformanceDriver {
  const clients = new Map<string, Promise<Client>>();
  const clientFor = (token: string | undefined) => {
    const key = keyOf(token);
    let client = clients.get(key);
    if (!client) {
      client = (async () => {
        const created = new Client({ name: 'nexus-conformance', version: '1.0.0' });
        await created.connect(await transportFor(token));
        return created;
      })();
      clients.set(key, client);
      client.catch(() => clients.delete(key));
    }
    return client;
  };
  return {
    ...(invokeRaw === undefined ? {} : { invokeRaw }),
    async invoke(call) {
      try {
        const client = await clientFor(call.token);
        const result = await client.callTool(
          { name: call.operation, arguments: (call.input ?? {}) as Record<string, unknown>, ...(call.requestId ? { _meta: { 'nexus/requestId': call.requestId } } : {}) },
          undefined,
          call.signal ? { signal: call.signal, timeout: 15_000 } : { timeout: 15_000 },
        );
        return outcomeOf(result as Parameters<typeof outcomeOf>[0]);
      } catch (error) {
        return failureOf(error, call.signal);
      }
    },
    async list(call) {
      try {
        const client = await clientFor(call.token);
        const { tools } = await client.listTools();
        return { ok: true, names: tools.map((tool) => tool.name) };
      } catch (error) {
        return failureOf(error);
      }
    },
    async close() {
      const all = await Promise.allSettled(clients.values());
      clients.clear();
      await Promise.all(all.map((settled) => (settled.status === 'fulfilled' ? settled.value.close() : undefined)));
    },
  };
}

/** Posts one `tools/call` whose `arguments` is the given JSON text, verbatim, to a Streamable HTTP endpoint. */
export function rawHttpToolCall(url: URL): (call: RawConformanceCall) => Promise<ConformanceOutcome> {
  return async (call) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(call.token === undefined ? {} : { authorization: `Bearer ${call.token}` }),
      },
      body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":${JSON.stringify(call.operation)},"arguments":${call.json}}}`,
    });
    const text = await response.text();
    // The body limit answers before any JSON-RPC is read: HTTP 413, as the API channel does.
    if (response.status === 413) return { ok: false, code: 'PAYLOAD_TOO_LARGE', raw: text };
    if (response.status === 401) return { ok: false, code: 'UNAUTHENTICATED', raw: text };
    return rawOutcome(JSON.parse(text) as Parameters<typeof rawOutcome>[0], text);
  };
}

/**
 * What a framing refusal or a tool result says, reduced like every other answer. Text that is
 * not JSON (-32700), or nests past the framing's own bound (-32600), is refused before any call
 * exists: the framing's way of saying INVALID_INPUT.
 */
function rawOutcome(message: { result?: Parameters<typeof outcomeOf>[0]; error?: { code: number; data?: { code?: string } } }, text: string): ConformanceOutcome {
  if (message.result !== undefined) return outcomeOf(message.result);
  // A refusal that carries its problem (an over-long stdio line: PAYLOAD_TOO_LARGE) says its code.
  if (typeof message.error?.data?.code === 'string') return { ok: false, code: message.error.data.code as Extract<ConformanceOutcome, { ok: false }>['code'], raw: text };
  if (message.error?.code === -32700 || message.error?.code === -32600) return { ok: false, code: 'INVALID_INPUT', raw: text };
  throw new Error(`unexpected answer: ${text}`);
}

/**
 * Writes one `tools/call` line whose `arguments` is the given JSON text, verbatim, to a freshly
 * spawned stdio server (after the handshake), and reads the answer to it: the answer with its id,
 * or the id-less refusal of a line that could not be read.
 */
export function rawStdioToolCall(command: string, args: readonly string[], envFor: (token: string | undefined) => Record<string, string>): (call: RawConformanceCall) => Promise<ConformanceOutcome> {
  return (call) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, args, { env: envFor(call.token), stdio: ['pipe', 'pipe', 'ignore'] });
      const finish = (settle: () => void) => {
        child.stdin.end();
        child.kill();
        settle();
      };
      child.once('error', (error) => finish(() => reject(error)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const message = JSON.parse(line) as { id?: unknown } & Parameters<typeof rawOutcome>[0];
        if (message.id === 0) {
          child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
          child.stdin.write(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":${JSON.stringify(call.operation)},"arguments":${call.json}}}\n`);
        } else if (message.id === 1 || message.id === null) {
          finish(() => {
            try {
              resolve(rawOutcome(message, line));
            } catch (error) {
              reject(error);
            }
          });
        }
      });
      child.stdin.write('{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1.0.0"}}}\n');
    });
}
