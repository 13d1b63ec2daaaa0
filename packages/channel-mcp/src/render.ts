import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CancelledError } from '@nexus/core';
import type { InvocationResult, NexusError, ProblemDetails, RateLimitInfo, StoredJob } from '@nexus/core';
import { INTERNAL_ERROR, INVALID_PARAMS, REFUSED, RESOURCE_NOT_FOUND, errorResponse } from './jsonrpc.js';
import type { JsonRpcId, JsonRpcResponse } from './jsonrpc.js';

/** `_meta` keys Nexus reads and writes on MCP messages. */
export const META_REQUEST_ID = 'nexus/requestId';
export const META_ERROR = 'nexus/error';
export const META_RATE_LIMIT = 'nexus/rateLimit';
/** Read on tools/call: the caller's idempotency key. */
export const META_IDEMPOTENCY_KEY = 'nexus/idempotencyKey';
/** Written on a tool result that is the stored outcome of an earlier call with the same key. */
export const META_IDEMPOTENT_REPLAYED = 'nexus/idempotentReplayed';

function toObject(value: unknown): Record<string, unknown> {
  // MCP's structuredContent must be an object; other results are wrapped as the contract says.
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { result: value ?? null };
}

function errorText(problem: ProblemDetails, rateLimit: RateLimitInfo | undefined): string {
  const lines = [`${problem.code}: ${problem.detail}`];
  for (const field of problem.errors ?? []) lines.push(`- ${field.path || '(root)'}: ${field.message}`);
  if (problem.retryAfter !== undefined) {
    const limits = rateLimit ? ` (limit ${rateLimit.limit}, remaining ${rateLimit.remaining})` : '';
    lines.push(`retryAfter: ${problem.retryAfter} s${limits}`);
  }
  if (problem.requestId !== undefined) lines.push(`requestId: ${problem.requestId}`);
  return lines.join('\n');
}

/** Renders an invocation as a tool result: structured content plus the same JSON as text. */
export function renderToolResult(result: InvocationResult): CallToolResult {
  const meta: Record<string, unknown> = { [META_REQUEST_ID]: result.requestId };
  const rateLimit = result.annotations.rateLimit;
  if (rateLimit) meta[META_RATE_LIMIT] = rateLimit;
  if (result.annotations.idempotency?.replayed === true) meta[META_IDEMPOTENT_REPLAYED] = true;
  return result.ok ? successResult(result.value, meta) : errorResult(result.error.toProblem(result.requestId), meta, rateLimit);
}

function successResult(value: unknown, meta: Record<string, unknown>): CallToolResult {
  const structured = toObject(value);
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured, _meta: meta };
}

function errorResult(problem: ProblemDetails, meta: Record<string, unknown>, rateLimit?: RateLimitInfo): CallToolResult {
  meta[META_ERROR] = problem;
  return { content: [{ type: 'text', text: errorText(problem, rateLimit) }], structuredContent: { error: problem }, isError: true, _meta: meta };
}

/** A problem that ended a call without a pipeline result (the job went away, the caller stopped waiting) as a tool error. */
export function renderToolError(problem: ProblemDetails, requestId: string | undefined): CallToolResult {
  return errorResult(problem, requestId === undefined ? {} : { [META_REQUEST_ID]: requestId });
}

/** A finished job as the tool result its call would have returned: the same rendering as a synchronous call's. */
export function renderJobResult(job: StoredJob): CallToolResult {
  const { record, caller } = job;
  const meta: Record<string, unknown> = { [META_REQUEST_ID]: caller.requestId };
  if (record.status === 'succeeded') return successResult(record.result, meta);
  return errorResult(record.error ?? new CancelledError(`Operation ${record.operationId} was cancelled.`).toProblem(caller.requestId), meta);
}

/** The JSON-RPC error code a refused non-tool request (listing, reading) answers with. */
export function rpcCodeOf(error: NexusError): number {
  if (error.code === 'INVALID_INPUT') return INVALID_PARAMS;
  if (error.code === 'NOT_FOUND') return RESOURCE_NOT_FOUND;
  if (error.code === 'INTERNAL') return INTERNAL_ERROR;
  return REFUSED;
}

/**
 * A refusal as a JSON-RPC error: `CODE: detail` as the message (no library prefix), the problem as
 * data; `code` overrides the JSON-RPC code where a method's spec names one.
 */
export function refusalResponse(id: JsonRpcId | null, error: NexusError, requestId: string | undefined, rateLimit?: RateLimitInfo, code = rpcCodeOf(error)): JsonRpcResponse {
  const problem = error.toProblem(requestId);
  const data = rateLimit === undefined ? problem : { ...problem, rateLimit };
  return errorResponse(id, code, `${problem.code}: ${problem.detail}`, data);
}
