/** JSON-RPC 2.0 envelopes as MCP uses them: what the transports parse and write. */
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

/** Longest string id answered; longer ones are refused rather than echoed back (ids are opaque to us). */
export const MAX_ID_LENGTH = 256;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
// MCP ids are strings or integers (the SDK's RequestIdSchema); 1e400 parses as Infinity and is neither.
const isId = (value: unknown): value is JsonRpcId =>
  typeof value === 'string' ? value.length <= MAX_ID_LENGTH : typeof value === 'number' && Number.isInteger(value);

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

export const isRequestOf = (message: JsonRpcMessage, method: string): boolean => isRequest(message) && message.method === method;

/**
 * Deepest JSON nesting a message may have before it is even parsed. Far past what any input may
 * nest (64 levels): that limit is core's, decided once for every channel (INVALID_INPUT, audited,
 * as a tool result here as on HTTP); this bound only keeps hostile depth away from the parser.
 */
export const MAX_JSON_DEPTH = 1_024;

/**
 * True when the JSON text nests arrays or objects deeper than `limit`. A scan of the raw text,
 * so a hostile body is refused before it is parsed into something that recursion would choke on.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b || char === 0x7b) {
      if (++depth > limit) return true;
    } else if (char === 0x5d || char === 0x7d) {
      depth--;
    }
  }
  return false;
}
