import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { CLI_JS, MAIN_JS, NEXUS_JS, cleanEnv, runNode } from './processes.js';

/** Who calls: a bearer token (none when absent) and the tenant asked for (X-Tenant-ID, --tenant, NEXUS_TENANT). */
export interface Caller {
  readonly token?: string;
  readonly tenant?: string;
}

/**
 * What a channel answered, reduced to the decision: `code` is `ok` or the error code. When the
 * native rendering disagrees with the documented mapping (HTTP status, exit code, MCP error placement), the
 * code carries the disagreement, e.g. `FORBIDDEN [HTTP 500, want 403]`, so the row fails and says why.
 */
export interface Outcome {
  readonly code: string;
  readonly value?: unknown;
  /** Present (true) only when the channel marked the answer as the stored outcome of an earlier call with the same idempotency key. */
  readonly replayed?: true;
}

/** Per-call extras: the idempotency key, sent the channel's native way. */
export interface CallOptions {
  readonly idempotencyKey?: string;
}

/** One channel, spoken natively. */
export interface ChannelDriver {
  readonly name: string;
  /** How many calls may run at once without overloading the machine. */
  readonly concurrency: number;
  call(caller: Caller, operation: string, input: unknown, options?: CallOptions): Promise<Outcome>;
  close(): Promise<void>;
}

/** The documented HTTP status and CLI exit status per error code. */
export const HTTP_STATUS: Record<string, number> = {
  INVALID_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, TENANT_REQUIRED: 403, TENANT_ACCESS_DENIED: 403, NOT_FOUND: 404,
  CONFLICT: 409, IDEMPOTENCY_MISMATCH: 422, PAYLOAD_TOO_LARGE: 413, RATE_LIMITED: 429, TIMEOUT: 504, UNAVAILABLE: 503, INTERNAL: 500, CANCELLED: 499,
};
export const CLI_EXIT: Record<string, number> = {
  INVALID_INPUT: 64, UNAUTHENTICATED: 77, FORBIDDEN: 77, TENANT_REQUIRED: 77, TENANT_ACCESS_DENIED: 77, NOT_FOUND: 66,
  CONFLICT: 65, IDEMPOTENCY_MISMATCH: 65, PAYLOAD_TOO_LARGE: 65, RATE_LIMITED: 75, TIMEOUT: 75, UNAVAILABLE: 69, INTERNAL: 70, CANCELLED: 130,
};

const problemCode = (body: unknown): string | undefined =>
  typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'string' ? (body as { code: string }).code : undefined;

/** `POST /workflows/{name}/execute` with fetch. */
export function httpDriver(api: string): ChannelDriver {
  return {
    name: 'HTTP',
    concurrency: 4,
    async call(caller, operation, input, options = {}) {
      const response = await fetch(`${api}/workflows/${encodeURIComponent(operation)}/execute`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(caller.token ? { authorization: `Bearer ${caller.token}` } : {}),
          ...(caller.tenant ? { 'x-tenant-id': caller.tenant } : {}),
          ...(options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey }),
        },
        body: JSON.stringify({ inputs: input }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json()) as { result?: unknown };
      const replayed = response.headers.get('idempotent-replayed') === 'true' ? { replayed: true as const } : {};
      if (response.status === 200) return { code: 'ok', value: body.result, ...replayed };
      const code = problemCode(body) ?? `no problem code [HTTP ${response.status}]`;
      const contentType = response.headers.get('content-type') ?? '';
      if (HTTP_STATUS[code] !== response.status) return { code: `${code} [HTTP ${response.status}, want ${HTTP_STATUS[code]}]` };
      if (!contentType.startsWith('application/problem+json')) return { code: `${code} [content-type ${contentType}]` };
      return { code, ...replayed };
    },
    async close() {},
  };
}

/** A spawned CLI process per call: `nexus` against the server, or the app's own in-process bin. */
function cliDriver(name: string, script: string, prefix: readonly string[], env: NodeJS.ProcessEnv): ChannelDriver {
  return {
    name,
    concurrency: 2,
    async call(caller, operation, input, options = {}) {
      const key = options.idempotencyKey;
      const args = [
        ...prefix,
        ...(caller.token ? ['--token', caller.token] : []),
        ...(caller.tenant ? ['--tenant', caller.tenant] : []),
        // --verbose prints the call's facts (replayed or not) as JSON on stderr.
        ...(key === undefined ? [] : ['--verbose']),
        '--output', 'json', 'run', operation, '--input', JSON.stringify(input),
        ...(key === undefined ? [] : ['--idempotency-key', key]),
      ];
      const done = await runNode(script, args, { env, timeoutMs: 15_000 });
      if (done.code === 0) return { code: 'ok', value: JSON.parse(done.stdout), ...(/"replayed":true/.test(done.stderr) ? { replayed: true as const } : {}) };
      // stderr may hold audit lines too (in-process, no audit file); the problem is the last JSON object with a code.
      const problem = done.stderr
        .split('\n')
        .map((line) => { try { return JSON.parse(line) as unknown; } catch { return undefined; } })
        .filter((parsed) => problemCode(parsed) !== undefined && String((parsed as { type?: unknown }).type).startsWith('urn:nexus:error:'))
        .pop();
      const code = problemCode(problem) ?? `no problem on stderr [exit ${done.code ?? done.signal}]: ${done.stderr.slice(0, 300)}`;
      if (CLI_EXIT[code] !== undefined && CLI_EXIT[code] !== done.code) return { code: `${code} [exit ${done.code}, want ${CLI_EXIT[code]}]` };
      if (done.stdout.trim() !== '') return { code: `${code} [stdout not empty]` };
      return { code };
    },
    async close() {},
  };
}

/** `node packages/channel-cli/dist/bin/nexus.js --url <api> ...`. */
export function remoteCliDriver(api: string): ChannelDriver {
  return cliDriver('remote CLI', NEXUS_JS, ['--url', api], cleanEnv());
}

/** `node apps/reference/dist/cli.js ...` with the server's secret: same verifier, same policy, no server. */
export function inProcessCliDriver(secret: string, env: Record<string, string> = {}): ChannelDriver {
  return cliDriver('in-process CLI', CLI_JS, [], cleanEnv({ NEXUS_JWT_SECRET: secret, ...env }));
}

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
}

/** Reads a tools/call result: structuredContent on success; on error the problem in both places. */
function mcpOutcome(result: ToolResult): Outcome {
  const replayed = result._meta?.['nexus/idempotentReplayed'] === true ? { replayed: true as const } : {};
  if (!result.isError) return { code: 'ok', value: result.structuredContent, ...replayed };
  const code = problemCode(result.structuredContent?.error) ?? 'no structuredContent.error';
  const meta = problemCode(result._meta?.['nexus/error']);
  if (meta !== code) return { code: `${code} [_meta nexus/error ${meta}]` };
  return { code, ...replayed };
}

/** tools/call params; the idempotency key travels in `_meta`. */
function toolCall(operation: string, input: unknown, options: CallOptions) {
  return {
    name: operation,
    arguments: input as Record<string, unknown>,
    ...(options.idempotencyKey === undefined ? {} : { _meta: { 'nexus/idempotencyKey': options.idempotencyKey } }),
  };
}

/**
 * Calls a tool. An unknown tool is the JSON-RPC error -32602 (the MCP spec), carrying the
 * NOT_FOUND problem as its data; every other refusal is a tool result.
 */
async function callTool(client: Client, operation: string, input: unknown, options: CallOptions = {}): Promise<Outcome> {
  try {
    return mcpOutcome((await client.callTool(toolCall(operation, input, options))) as ToolResult);
  } catch (error) {
    if (!(error instanceof McpError) || error.code !== ErrorCode.InvalidParams) throw error;
    const code = problemCode(error.data) ?? 'no problem in the -32602 data';
    return { code: code === 'NOT_FOUND' ? code : `${code} [JSON-RPC -32602]` };
  }
}

/** One SDK client per caller, made on first use and kept. */
function clientPool(connect: (caller: Caller) => Promise<Client>) {
  const clients = new Map<string, Promise<Client>>();
  return {
    get(caller: Caller): Promise<Client> {
      const key = `${caller.token ?? ''}|${caller.tenant ?? ''}`;
      let client = clients.get(key);
      if (!client) clients.set(key, (client = connect(caller)));
      return client;
    },
    async close() {
      await Promise.all([...clients.values()].map((client) => client.then((c) => c.close(), () => undefined)));
    },
  };
}

/** MCP over Streamable HTTP with the SDK client; the token and tenant travel as headers. */
export function mcpHttpDriver(mcpUrl: string): ChannelDriver {
  const pool = clientPool(async (caller) => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const headers = {
      ...(caller.token ? { authorization: `Bearer ${caller.token}` } : {}),
      ...(caller.tenant ? { 'x-tenant-id': caller.tenant } : {}),
    };
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers } }));
    return client;
  });
  return {
    name: 'MCP HTTP',
    concurrency: 4,
    async call(caller, operation, input, options = {}) {
      try {
        return await callTool(await pool.get(caller), operation, input, options);
      } catch (error) {
        // An unauthenticated caller gets HTTP 401 before any MCP message is handled.
        if (error instanceof StreamableHTTPError && error.code === 401) return { code: 'UNAUTHENTICATED' };
        throw error;
      }
    },
    close: () => pool.close(),
  };
}

/** MCP over stdio: one `main.js --mcp-stdio` per caller, the token in its NEXUS_TOKEN, the tenant in NEXUS_TENANT. */
export function mcpStdioDriver(secret: string, extraEnv: Record<string, string> = {}): ChannelDriver {
  const pool = clientPool(async (caller) => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const env = cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: caller.token, NEXUS_TENANT: caller.tenant, ...extraEnv });
    const transport = new StdioClientTransport({ command: process.execPath, args: [MAIN_JS, '--mcp-stdio'], env: env as Record<string, string>, stderr: 'ignore' });
    await client.connect(transport);
    return client;
  });
  return {
    name: 'MCP stdio',
    concurrency: 2,
    async call(caller, operation, input, options = {}) {
      let client: Client;
      try {
        client = await pool.get(caller);
      } catch (error) {
        // A credential the server refuses fails the handshake itself (initialize), as a 401 does over HTTP.
        const code = error instanceof McpError ? problemCode(error.data) : undefined;
        if (code === 'UNAUTHENTICATED') return { code };
        throw error;
      }
      return callTool(client, operation, input, options);
    },
    close: () => pool.close(),
  };
}
