import type { InvocationInit, Nexus, OperationDescriptor } from '@nexus/core';
import {
  InitializeRequestSchema,
  CallToolRequestSchema,
  LATEST_PROTOCOL_VERSION,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import type { InitializeResult, ListResourceTemplatesResult, Resource, ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { Answer, Caller, Dispatch, DispatchOptions, Method, Schema } from './dispatch-types.js';
import { ok } from './dispatch-types.js';
import { INVALID_PARAMS, METHOD_NOT_FOUND, RESOURCE_NOT_FOUND, errorResponse } from './jsonrpc.js';
import type { JsonRpcRequest, JsonRpcResponse } from './jsonrpc.js';
import { META_REQUEST_ID, refusalResponse } from './render.js';
import { SERVER_INFO } from './server-info.js';
import { taskMethods } from './tasks/methods.js';
import { toolCall } from './tool-call.js';
import { toolInfo } from './tool-info.js';

export type { Answer, Caller, Dispatch, DispatchOptions } from './dispatch-types.js';

const CATALOGUE_URI = 'nexus://operations';
const ENTRY_PREFIX = `${CATALOGUE_URI}/`;
const TEMPLATES: ListResourceTemplatesResult = {
  resourceTemplates: [{ uriTemplate: `${ENTRY_PREFIX}{name}`, name: 'operation', description: 'One operation: its description and input schema.', mimeType: 'application/json' }],
};
/** Tasks: every tool may be called as one; tasks are listed and cancelled through the app's job store. */
const CAPABILITIES: ServerCapabilities = { tools: { listChanged: true }, resources: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } };
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The protocol version the server answers `initialize` with: the client's when supported, else the latest. */
export function negotiateVersion(requested: unknown): string {
  return typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

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
    ['tools/call', [CallToolRequestSchema, toolCall(app, base)]],
    ...taskMethods(app, base),
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
