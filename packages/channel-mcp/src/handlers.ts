import type { Credential, Nexus, OperationDescriptor, TransportInfo } from '@nexus/core';
import { ProtocolError } from './sdk/adapter.js';
import type { ProtocolHandlers, RequestInfo, ResourceInfo } from './sdk/adapter.js';
import { RESOURCE_NOT_FOUND } from './jsonrpc.js';
import { META_REQUEST_ID, renderToolResult, rpcCodeOf } from './render.js';

/** Who is calling, as the transport saw it; the pipeline judges it. */
export interface Caller {
  readonly credential: Credential;
  readonly clientAddress?: string;
  readonly transport: TransportInfo;
  readonly native?: unknown;
}

const CATALOGUE_URI = 'nexus://operations';
const ENTRY_PREFIX = `${CATALOGUE_URI}/`;

function metaString(meta: RequestInfo['meta'], key: string): string | undefined {
  const value = meta?.[key];
  return typeof value === 'string' ? value : undefined;
}

function correlation(meta: RequestInfo['meta']) {
  const requestId = metaString(meta, META_REQUEST_ID);
  const traceparent = metaString(meta, 'traceparent');
  return { ...(requestId === undefined ? {} : { requestId }), ...(traceparent === undefined ? {} : { traceparent }) };
}

/** Maps MCP requests onto `app.list` and `app.invoke`; it adds no policy of its own. */
export function createHandlers(app: Nexus, callerOf: Caller | ((request: RequestInfo) => Caller)): ProtocolHandlers {
  // A session serves several HTTP requests, each with its own credential: the caller is per request.
  const callerFor = (request: RequestInfo) => (typeof callerOf === 'function' ? callerOf(request) : callerOf);
  const baseOf = (caller: Caller) => ({
    channel: 'mcp' as const,
    credential: caller.credential,
    transport: caller.transport,
    ...(caller.clientAddress === undefined ? {} : { clientAddress: caller.clientAddress }),
    ...(caller.native === undefined ? {} : { native: caller.native }),
  });

  const list = async (request: RequestInfo): Promise<OperationDescriptor[]> => {
    const listed = await app.list({ ...baseOf(callerFor(request)), ...correlation(request.meta), signal: request.signal });
    if (listed.ok) return listed.operations;
    const problem = listed.error.toProblem(listed.requestId);
    throw new ProtocolError(rpcCodeOf(listed.error), `${problem.code}: ${problem.detail}`, problem);
  };

  return {
    async listTools(request) {
      return (await list(request)).map((operation) => ({ name: operation.name, description: operation.description, inputSchema: operation.inputSchema }));
    },
    async callTool(name, args, request) {
      const result = await app.invoke({
        ...baseOf(callerFor(request)),
        ...correlation(request.meta),
        operation: name,
        input: args,
        signal: request.signal,
        ...(request.progress === undefined ? {} : { onProgress: request.progress }),
      });
      return renderToolResult(result);
    },
    async listResources(request) {
      const operations = await list(request);
      const catalogue: ResourceInfo = { uri: CATALOGUE_URI, name: 'operations', description: 'Every operation you may call.', mimeType: 'application/json' };
      return [
        catalogue,
        ...operations.map((operation) => ({ uri: `${ENTRY_PREFIX}${operation.name}`, name: operation.name, description: operation.description, mimeType: 'application/json' })),
      ];
    },
    async readResource(uri, request) {
      const operations = await list(request);
      if (uri === CATALOGUE_URI) return [{ uri, mimeType: 'application/json', text: JSON.stringify({ operations }) }];
      const entry = uri.startsWith(ENTRY_PREFIX) ? operations.find((operation) => operation.name === decodeURIComponent(uri.slice(ENTRY_PREFIX.length))) : undefined;
      if (!entry) throw new ProtocolError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri });
      return [{ uri, mimeType: 'application/json', text: JSON.stringify(entry) }];
    },
  };
}
