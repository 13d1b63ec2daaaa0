/**
 * The one module that touches @modelcontextprotocol/sdk on the server side. The rest of the
 * channel speaks plain JSON-RPC objects and the interfaces below, so a new SDK major changes
 * only this file.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import {
  CallToolRequestSchema,
  InitializeRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  PingRequestSchema,
  ReadResourceRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import { INVALID_PARAMS, errorResponse, isRequest } from '../jsonrpc.js';
import type { JsonRpcMessage } from '../jsonrpc.js';

/** Protocol versions the SDK negotiates; the HTTP layer checks `MCP-Protocol-Version` against them. */
export const PROTOCOL_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;

/** A message pipe the protocol server reads from and writes to (stdio lines, one HTTP exchange). */
export interface MessageTransport {
  start(): Promise<void>;
  send(message: JsonRpcMessage, options?: { relatedRequestId?: string | number }): Promise<void>;
  close(): Promise<void>;
  onmessage?: ((message: JsonRpcMessage, extra?: { requestInfo?: { headers: Record<string, string | string[] | undefined> } }) => void) | undefined;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
}

/** Facts about one MCP request that the handlers need; no SDK types. */
export interface RequestInfo {
  readonly id: string | number;
  readonly signal: AbortSignal;
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** Present when the client asked for progress (it sent a progress token). */
  readonly progress: ((progress: number, total?: number, message?: string) => void) | undefined;
}

export interface ToolInfo {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

export interface ResourceInfo {
  readonly uri: string;
  readonly name: string;
  readonly description?: string;
  readonly mimeType: string;
}

export interface ToolCallResult {
  readonly content: { type: 'text'; text: string }[];
  readonly structuredContent: Record<string, unknown>;
  readonly isError?: boolean;
  readonly _meta?: Record<string, unknown>;
}

export interface ProtocolHandlers {
  listTools(request: RequestInfo): Promise<ToolInfo[]>;
  callTool(name: string, args: unknown, request: RequestInfo): Promise<ToolCallResult>;
  listResources(request: RequestInfo): Promise<ResourceInfo[]>;
  readResource(uri: string, request: RequestInfo): Promise<{ uri: string; mimeType: string; text: string }[]>;
}

/** A JSON-RPC error a handler throws; `data` reaches the client unchanged. */
export class ProtocolError extends Error {
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
  }
}

export interface ProtocolServer {
  connect(transport: MessageTransport): Promise<void>;
  close(): Promise<void>;
  notifyToolsChanged(): Promise<void>;
}

// Input is validated once, by the Nexus pipeline; the SDK's own validator (Ajv, compiled per
// server) would only slow every request down, so it gets one that accepts everything.
const passThroughValidator: jsonSchemaValidator = {
  getValidator<T>(): JsonSchemaValidator<T> {
    return (input: unknown) => ({ valid: true, data: input as T, errorMessage: undefined });
  },
};

type Extra = {
  signal: AbortSignal;
  requestId: string | number;
  _meta?: Record<string, unknown> | undefined;
  sendNotification: (notification: { method: 'notifications/progress'; params: Record<string, unknown> }) => Promise<void>;
};

function requestInfo(extra: Extra): RequestInfo {
  const meta = extra._meta;
  const token = meta?.progressToken;
  const progress =
    typeof token === 'string' || typeof token === 'number'
      ? (value: number, total?: number, message?: string) => {
          const params = { progressToken: token, progress: value, ...(total === undefined ? {} : { total }), ...(message === undefined ? {} : { message }) };
          extra.sendNotification({ method: 'notifications/progress', params }).catch(() => {});
        }
      : undefined;
  return { id: extra.requestId, signal: extra.signal, meta, progress };
}

const INTERNAL = -32603;

/**
 * Runs a handler and maps its ProtocolError to the SDK's. The SDK drops the answer to a request
 * it saw cancelled; with `late`, that answer is sent anyway (a Streamable HTTP POST must end).
 */
async function answer<T extends object>(extra: Extra, late: LateAnswer | undefined, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    if (late !== undefined && extra.signal.aborted) late({ jsonrpc: '2.0', id: extra.requestId, result: result as Record<string, unknown> });
    return result;
  } catch (error) {
    const mapped = error instanceof ProtocolError ? new McpError(error.code, error.message, error.data) : error;
    if (late !== undefined && extra.signal.aborted) {
      const code = mapped instanceof McpError ? mapped.code : INTERNAL;
      const message = mapped instanceof McpError ? mapped.message : 'Internal error';
      const data = mapped instanceof McpError ? mapped.data : undefined;
      late({ jsonrpc: '2.0', id: extra.requestId, error: data === undefined ? { code, message } : { code, message, data } });
    }
    throw mapped;
  }
}

type LateAnswer = (message: JsonRpcMessage) => void;

export interface ProtocolServerOptions {
  /**
   * Answer requests even after `notifications/cancelled` (the SDK, following the spec's SHOULD,
   * stays silent): a Streamable HTTP POST needs its answer to end. Off for stdio.
   */
  readonly answerCancelled?: boolean;
}

/** MCP requires `type: "object"` at the top; a union of objects gets it stated beside its `anyOf`. */
function objectSchema(schema: Readonly<Record<string, unknown>>): { type: 'object' } {
  return (schema.type === 'object' ? schema : { type: 'object', ...schema }) as { type: 'object' };
}

type RequestSchema = { safeParse(value: unknown): { success: true } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } };

/** The request schemas of every method this server answers, checked before the SDK sees a request. */
const REQUEST_SCHEMAS: ReadonlyMap<string, RequestSchema> = new Map<string, RequestSchema>([
  ['initialize', InitializeRequestSchema],
  ['ping', PingRequestSchema],
  ['tools/list', ListToolsRequestSchema],
  ['tools/call', CallToolRequestSchema],
  ['resources/list', ListResourcesRequestSchema],
  ['resources/templates/list', ListResourceTemplatesRequestSchema],
  ['resources/read', ReadResourceRequestSchema],
]);

/** One line naming the first bad field: the SDK would answer -32603 with the whole zod dump. */
function invalidParams(message: JsonRpcMessage): JsonRpcMessage | undefined {
  if (!isRequest(message)) return undefined;
  const parsed = REQUEST_SCHEMAS.get(message.method)?.safeParse(message);
  if (parsed === undefined || parsed.success) return undefined;
  const [first, ...rest] = parsed.error.issues;
  const where = first === undefined || first.path.length === 0 ? 'request' : first.path.map(String).join('.');
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more)`;
  return errorResponse(message.id, INVALID_PARAMS, `Invalid params: ${where}: ${first?.message ?? 'invalid'}${more}`);
}

/**
 * Answers requests whose params do not fit their method's schema with -32602 itself, and hands
 * every other message to the SDK. Installed as an accessor, so the SDK's own `onmessage`
 * assignment lands behind it whenever the SDK makes it.
 */
function screenRequests(transport: MessageTransport): void {
  let inner: MessageTransport['onmessage'];
  const screened: NonNullable<MessageTransport['onmessage']> = (message, extra) => {
    const refusal = invalidParams(message);
    if (refusal === undefined) inner?.(message, extra);
    else transport.send(refusal).catch((error: unknown) => transport.onerror?.(error instanceof Error ? error : new Error(String(error))));
  };
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    enumerable: true,
    get: () => (inner === undefined ? undefined : screened),
    set: (handler: MessageTransport['onmessage']) => {
      inner = handler;
    },
  });
}

/**
 * Builds a low-level MCP server whose tools and resources come from `handlers`. One server may
 * serve many clients at once when its transport keeps their request ids apart.
 */
export function createProtocolServer(info: { name: string; version: string }, handlers: ProtocolHandlers, options: ProtocolServerOptions = {}): ProtocolServer {
  const server = new Server(info, {
    capabilities: { tools: { listChanged: true }, resources: {} },
    jsonSchemaValidator: passThroughValidator,
  });
  let transport: MessageTransport | undefined;
  const late: LateAnswer | undefined = options.answerCancelled
    ? (message) => void transport?.send(message).catch(() => {})
    : undefined;
  server.setRequestHandler(ListToolsRequestSchema, (_request, extra) =>
    answer(extra as Extra, late, async () => ({ tools: (await handlers.listTools(requestInfo(extra as Extra))).map((tool) => ({ ...tool, inputSchema: objectSchema(tool.inputSchema) })) })),
  );
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    answer(extra as Extra, late, () => handlers.callTool(request.params.name, request.params.arguments ?? {}, requestInfo(extra as Extra))),
  );
  server.setRequestHandler(ListResourcesRequestSchema, (_request, extra) =>
    answer(extra as Extra, late, async () => ({ resources: await handlers.listResources(requestInfo(extra as Extra)) })),
  );
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [{ uriTemplate: 'nexus://operations/{name}', name: 'operation', description: 'One operation: its description and input schema.', mimeType: 'application/json' }],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (request, extra) =>
    answer(extra as Extra, late, async () => ({ contents: await handlers.readResource(request.params.uri, requestInfo(extra as Extra)) })),
  );
  return {
    connect: (connected) => {
      transport = connected;
      screenRequests(connected);
      return server.connect(connected as unknown as Transport);
    },
    close: () => server.close(),
    notifyToolsChanged: () => server.sendToolListChanged(),
  };
}
