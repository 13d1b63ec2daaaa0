/** JSON-RPC 2.0 as MCP uses it, without SDK types: what the transports parse and write. */
export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId;
  readonly method: string;
  readonly params?: Record<string, unknown>;
}
export interface JsonRpcNotification {
  readonly jsonrpc: '2.0';
  readonly method: string;
  readonly params?: Record<string, unknown>;
}
export interface JsonRpcResponse {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId | null;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
}
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
/** MCP's code for an unknown resource URI. */
export const RESOURCE_NOT_FOUND = -32002;
/** Server-defined code for every other refusal; `data` carries the problem object. */
export const REFUSED = -32000;

export function errorResponse(id: JsonRpcId | null, code: number, message: string, data?: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is JsonRpcId => typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));

/** Checks the envelope only; the protocol layer checks params per method. */
export function isJsonRpcMessage(value: unknown): value is JsonRpcMessage {
  if (!isObject(value) || value.jsonrpc !== '2.0') return false;
  if (value.params !== undefined && !isObject(value.params)) return false;
  if (typeof value.method === 'string') return value.id === undefined || isId(value.id);
  return (isId(value.id) || value.id === null) && ('result' in value || 'error' in value);
}

export const isRequest = (message: JsonRpcMessage): message is JsonRpcRequest => 'method' in message && 'id' in message && message.id !== undefined;
export const isNotification = (message: JsonRpcMessage): message is JsonRpcNotification => 'method' in message && !('id' in message && message.id !== undefined);
export const isResponse = (message: JsonRpcMessage): message is JsonRpcResponse => !('method' in message);

/** The id of an invalid message, when one can be read, so the error answers the right request. */
export function idOf(value: unknown): JsonRpcId | null {
  return isObject(value) && isId(value.id) ? value.id : null;
}
