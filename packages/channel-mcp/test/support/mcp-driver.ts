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
    const message = JSON.parse(text) as { result?: Parameters<typeof outcomeOf>[0]; error?: { code: number; data?: { code?: string } } };
    if (message.result !== undefined) return outcomeOf(message.result);
    // Text that is not JSON (-32700), or nests past the framing's own bound (-32600), is refused
    // before any call exists: the framing's way of saying INVALID_INPUT.
    if (message.error?.code === -32700 || message.error?.code === -32600) return { ok: false, code: 'INVALID_INPUT', raw: text };
    if (response.status === 401) return { ok: false, code: 'UNAUTHENTICATED', raw: text };
    throw new Error(`unexpected answer (HTTP ${response.status}): ${text}`);
  };
}
