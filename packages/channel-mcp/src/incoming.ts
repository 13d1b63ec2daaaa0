import { DEFAULT_NEGOTIATED_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { INVALID_REQUEST, MAX_JSON_DEPTH, PARSE_ERROR, errorResponse, idOf, isJsonRpcMessage, isRequestOf, nestsDeeperThan } from './jsonrpc.js';
import type { JsonRpcMessage, JsonRpcResponse } from './jsonrpc.js';

/** Most messages one batch may hold, for the protocol versions that still have batches. */
export const MAX_BATCH = 16;
/** The first protocol version without JSON-RPC batches. */
const BATCHLESS_VERSION = '2025-11-25';

export type Incoming =
  | { readonly ok: true; readonly messages: JsonRpcMessage[]; readonly batch: boolean }
  | { readonly ok: false; readonly error: JsonRpcResponse };

/**
 * What one HTTP body or stdio line holds: one JSON-RPC message or a batch of them. Refuses
 * (-32700 / -32600) text that is not JSON, nests deeper than inputs may, or holds anything that
 * is not a JSON-RPC 2.0 message with a usable id.
 */
export function parseIncoming(text: string): Incoming {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    return { ok: false, error: errorResponse(null, INVALID_REQUEST, `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels.`) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, error: errorResponse(null, PARSE_ERROR, 'Parse error: the body is not JSON.') };
  }
  const batch = Array.isArray(parsed);
  const items: unknown[] = batch ? (parsed as unknown[]) : [parsed];
  if (items.length === 0) return { ok: false, error: errorResponse(null, INVALID_REQUEST, 'Invalid Request: an empty batch.') };
  for (const item of items) {
    if (!isJsonRpcMessage(item)) return { ok: false, error: errorResponse(idOf(item), INVALID_REQUEST, 'Invalid Request: not a JSON-RPC 2.0 message with a string or integer id.') };
  }
  return { ok: true, messages: items as JsonRpcMessage[], batch };
}

/**
 * Why a batch is refused, or undefined when it may be served: protocol 2025-11-25 removed
 * batches; older versions get at most MAX_BATCH messages, and never `initialize` inside one.
 * `version` is what the client negotiated (header or session); unknown means the spec's default.
 */
export function batchRefusal(messages: readonly JsonRpcMessage[], version: string | undefined): JsonRpcResponse | undefined {
  const negotiated = version ?? DEFAULT_NEGOTIATED_PROTOCOL_VERSION;
  if (negotiated >= BATCHLESS_VERSION) {
    return errorResponse(null, INVALID_REQUEST, `Invalid Request: protocol ${negotiated} has no JSON-RPC batches; send one message per request.`);
  }
  if (messages.length > MAX_BATCH) return errorResponse(null, INVALID_REQUEST, `Invalid Request: a batch holds at most ${MAX_BATCH} messages.`);
  if (messages.some((message) => isRequestOf(message, 'initialize'))) return errorResponse(null, INVALID_REQUEST, 'Invalid Request: initialize cannot be part of a batch.');
  return undefined;
}
