import { isValidIdentifier } from '@nexus/core';
import type { Credential, InvocationInit, Nexus, NexusError, OperationDescriptor, TransportInfo } from '@nexus/core';
import {
  CallToolRequestSchema,
  InitializeRequestSchema,
  LATEST_PROTOCOL_VERSION,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import type { InitializeResult, ListResourceTemplatesResult, Resource } from '@modelcontextprotocol/sdk/types.js';
import { INVALID_PARAMS, METHOD_NOT_FOUND, RESOURCE_NOT_FOUND, errorResponse } from './jsonrpc.js';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from './jsonrpc.js';
import { META_IDEMPOTENCY_KEY, META_REQUEST_ID, refusalResponse, renderToolResult } from './render.js';
import { SERVER_INFO } from './server-info.js';
import { toolInfo } from './tool-info.js';

/** Who is calling, as the transport saw it; the pipeline judges it. */
export interface Caller {
  readonly credential: Credential;
  readonly clientAddress?: string | undefined;
  readonly transport: TransportInfo;
  readonly native?: unknown;
}

export interface DispatchOptions {
  readonly signal: AbortSignal;
  /** Delivers a notification tied to this request (progress); absent when nothing can carry it. */
  readonly notify?: ((notification: JsonRpcNotification) => void) | undefined;
}

/** The answer to one request, and the Nexus refusal behind it, so a transport can map it natively (401). */
export interface Answer {
  readonly response: JsonRpcResponse;
  readonly refusal?: NexusError | undefined;
}

export type Dispatch = (request: JsonRpcRequest, caller: Caller, options: DispatchOptions) => Promise<Answer>;

type Schema = { safeParse(value: unknown): { success: true } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } };
type Method = (request: JsonRpcRequest, caller: Caller, options: DispatchOptions) => Promise<Answer>;

const CATALOGUE_URI = 'nexus://operations';
const ENTRY_PREFIX = `${CATALOGUE_URI}/`;
const TEMPLATES: ListResourceTemplatesResult = {
  resourceTemplates: [{ uriTemplate: `${ENTRY_PREFIX}{name}`, name: 'operation', description: 'One operation: its description and input schema.', mimeType: 'application/json' }],
};
const CAPABILITIES = { tools: { listChanged: true }, resources: {} };
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The protocol version the server answers `initialize` with: the client's when supported, else the latest. */
export function negotiateVersion(requested: unknown): string {
  return typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

/** A name that could be an operation's (core's identifier rule): anything else is malformed params, not an unknown tool. */
const isToolName = (name: string): boolean => isValidIdentifier(name);

/** One line naming the first bad field, instead of the schema library's whole dump. */
function invalidParams(request: JsonRpcRequest, schema: Schema): JsonRpcResponse | undefined {
  const parsed = schema.safeParse(request);
  if (parsed.success) return undefined;
  const [first, ...rest] = parsed.error.issues;
  const where = first === undefined || first.path.length === 0 ? 'request' : first.path.map(String).join('.');
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more)`;
  return errorResponse(request.id, INVALID_PARAMS, `Invalid params: ${where}: ${first?.message ?? 'invalid'}${more}`);
}

/** `_meta` correlation a client may send: our request id and a W3C traceparent. */
function correlation(request: JsonRpcRequest): Pick<InvocationInit, 'requestId' | 'traceparent'> {
  const meta = request.params?._meta as Record<string, unknown> | undefined;
  if (meta === undefined) return {};
  const requestId = meta[META_REQUEST_ID];
  const traceparent = meta.traceparent;
  return {
    ...(typeof requestId === 'string' ? { requestId } : {}),
    ...(typeof traceparent === 'string' && TRACEPARENT.test(traceparent) ? { traceparent } : {}),
  };
}

/** The call's transport facts plus its idempotency key; a key that is not a string reaches the pipeline as '' and is refused there. */
function withIdempotencyKey(transport: TransportInfo, request: JsonRpcRequest): TransportInfo {
  const meta = request.params?._meta as Record<string, unknown> | undefined;
  if (meta === undefined || !(META_IDEMPOTENCY_KEY in meta)) return transport;
  const key = meta[META_IDEMPOTENCY_KEY];
  return { ...transport, idempotencyKey: typeof key === 'string' ? key : '' };
}

function progressOf(request: JsonRpcRequest, options: DispatchOptions): InvocationInit['onProgress'] {
  const token = (request.params?._meta as Record<string, unknown> | undefined)?.progressToken;
  const notify = options.notify;
  if (notify === undefined || (typeof token !== 'string' && typeof token !== 'number')) return undefined;
  return (progress, total, message) =>
    notify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress, ...(total === undefined ? {} : { total }), ...(message === undefined ? {} : { message }) } });
}

const ok = (request: JsonRpcRequest, result: object): JsonRpcResponse => ({ jsonrpc: '2.0', id: request.id, result: result as Record<string, unknown> });

/**
 * MCP's requests mapped onto `list` and `invoke` dispatches: one function per method, params checked
 * against the SDK's schemas. It adds no policy; refusals come back with the answer that carries them.
 */
export function createDispatcher(app: Nexus): Dispatch {
  const base = (caller: Caller, request: JsonRpcRequest, signal: AbortSignal) => ({
    channel: 'mcp' as const,
    credential: caller.credential,
    transport: caller.transport,
    signal,
    ...(caller.clientAddress === undefined ? {} : { clientAddress: caller.clientAddress }),
    ...(caller.native === undefined ? {} : { native: caller.native }),
    ...correlation(request),
  });

  /** Runs `answer` on the operations the caller may see, or answers the listing's refusal. */
  const withCatalogue = async (request: JsonRpcRequest, caller: Caller, options: DispatchOptions, answer: (operations: OperationDescriptor[]) => JsonRpcResponse): Promise<Answer> => {
    const result = await app.dispatch({ ...base(caller, request, options.signal), purpose: 'list' });
    if (!result.ok) return { response: refusalResponse(request.id, result.error, result.requestId, result.annotations.rateLimit), refusal: result.error };
    return { response: answer(result.value) };
  };
  const methods = new Map<string, [Schema, Method]>([
    ['initialize', [InitializeRequestSchema, async (request) => {
      const result: InitializeResult = { protocolVersion: negotiateVersion(request.params?.protocolVersion), capabilities: CAPABILITIES, serverInfo: SERVER_INFO };
      return { response: ok(request, result) };
    }]],
    ['ping', [PingRequestSchema, async (request) => ({ response: ok(request, {}) })]],
    ['tools/list', [ListToolsRequestSchema, (request, caller, options) =>
      withCatalogue(request, caller, options, (operations) => ok(request, {
        tools: operations.map(toolInfo),
      }))]],
    ['tools/call', [CallToolRequestSchema, async (request, caller, options) => {
      const name = request.params!.name as string;
      if (!isToolName(name)) return { response: errorResponse(request.id, INVALID_PARAMS, 'Invalid params: params.name: not a tool name (1-128 well-formed characters, no control characters).') };
      const onProgress = progressOf(request, options);
      const init = base(caller, request, options.signal);
      const result = await app.invoke({
        ...init,
        transport: withIdempotencyKey(init.transport, request),
        operation: name,
        input: request.params!.arguments ?? {},
        ...(onProgress === undefined ? {} : { onProgress }),
      });
      if (result.ok) return { response: ok(request, renderToolResult(result)) };
      // An unknown tool is a protocol error (the spec's -32602); it was still audited and counted by the pipeline.
      if (result.error.code === 'NOT_FOUND' && app.operation(name) === undefined) {
        return { response: errorResponse(request.id, INVALID_PARAMS, `Unknown tool: ${name}`, result.error.toProblem(result.requestId)), refusal: result.error };
      }
      return { response: ok(request, renderToolResult(result)), refusal: result.error };
    }]],
    ['resources/list', [ListResourcesRequestSchema, (request, caller, options) =>
      withCatalogue(request, caller, options, (operations) => ok(request, {
        resources: [
          { uri: CATALOGUE_URI, name: 'operations', description: 'Every operation you may call.', mimeType: 'application/json' },
          ...operations.map((operation): Resource => ({ uri: `${ENTRY_PREFIX}${encodeURIComponent(operation.name)}`, name: operation.name, description: operation.description, mimeType: 'application/json' })),
        ],
      }))]],
    ['resources/templates/list', [ListResourceTemplatesRequestSchema, async (request) => ({ response: ok(request, TEMPLATES) })]],
    ['resources/read', [ReadResourceRequestSchema, async (request, caller, options) => {
      const uri = request.params!.uri as string;
      let name: string | undefined;
      try {
        name = uri.startsWith(ENTRY_PREFIX) ? decodeURIComponent(uri.slice(ENTRY_PREFIX.length)) : undefined;
      } catch {
        name = undefined;
      }
      return withCatalogue(request, caller, options, (operations) => {
        const entry = uri === CATALOGUE_URI ? { operations } : operations.find((operation) => operation.name === name);
        if (entry === undefined) return errorResponse(request.id, RESOURCE_NOT_FOUND, 'Resource not found.', { uri });
        return ok(request, { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(entry) }] });
      });
    }]],
  ]);

  return (request, caller, options) => {
    const method = methods.get(request.method);
    if (method === undefined) return Promise.resolve({ response: errorResponse(request.id, METHOD_NOT_FOUND, 'Method not found.') });
    const [schema, run] = method;
    const invalid = invalidParams(request, schema);
    return invalid === undefined ? run(request, caller, options) : Promise.resolve({ response: invalid });
  };
}
