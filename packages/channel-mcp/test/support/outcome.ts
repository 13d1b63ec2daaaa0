import type { ConformanceOutcome } from '@nexus/core/testing';
import type { NexusErrorCode } from '@nexus/core';

type ToolResult = { isError?: boolean; structuredContent?: Record<string, unknown>; _meta?: Record<string, unknown> };

/** Reduces an MCP tool result to what the conformance suite compares. */
export function outcomeOf(received: ToolResult): ConformanceOutcome {
  const raw = JSON.stringify(received);
  // fetch parses HTTP bodies in Node's own realm, not Jest's; strict deep-equality compares
  // prototypes, so the result is re-parsed here.
  const result = JSON.parse(raw) as ToolResult;
  const requestId = result._meta?.['nexus/requestId'] as string | undefined;
  if (!result.isError) return { ok: true, value: result.structuredContent, ...(requestId ? { requestId } : {}), raw };
  const problem = result._meta?.['nexus/error'] as { code: NexusErrorCode; errors?: { path: string; message: string }[]; retryAfter?: number };
  return {
    ok: false,
    code: problem.code,
    ...(requestId ? { requestId } : {}),
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...(problem.retryAfter === undefined ? {} : { retryAfter: problem.retryAfter }),
    raw,
  };
}

/** A refusal that arrived as a transport error (HTTP 401) or a JSON-RPC error carrying a problem. */
export function failureOf(error: unknown, signal?: AbortSignal): Extract<ConformanceOutcome, { ok: false }> {
  const message = error instanceof Error ? error.message : String(error);
  if (signal?.aborted) return { ok: false, code: 'CANCELLED', raw: message };
  const data = (error as { data?: { code?: NexusErrorCode } }).data;
  if (data?.code) return { ok: false, code: data.code, raw: JSON.stringify(data) };
  const status = (error as { code?: unknown }).code;
  const body = /\{.*\}/s.exec(message)?.[0];
  let problem: { code?: NexusErrorCode } | undefined;
  try {
    problem = body ? (JSON.parse(body) as { error?: { data?: { code?: NexusErrorCode } } }).error?.data : undefined;
  } catch {
    problem = undefined;
  }
  if (problem?.code) return { ok: false, code: problem.code, raw: message };
  if (status === 401) return { ok: false, code: 'UNAUTHENTICATED', raw: message };
  throw error;
}
