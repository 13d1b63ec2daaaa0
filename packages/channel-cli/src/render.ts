import type { ProblemDetails, RateLimitInfo } from '@nexus/core';
import type { Failure } from './backend.js';

/** Where the CLI writes: process streams in a real bin, buffers in tests. */
export interface Output {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  /** A terminal's width, for lines that must not wrap (the progress bar). */
  readonly columns?: number;
}

export type OutputMode = 'json' | 'pretty';

/** The result, alone on stdout, so it pipes into `jq`. */
export function renderResult(stdout: Output, value: unknown, mode: OutputMode): void {
  stdout.write(`${JSON.stringify(value ?? null, null, mode === 'pretty' ? 2 : undefined)}\n`);
}

/** `error: <CODE>: <detail> (request <id>)` on stderr, or the problem object itself with `--output json`. */
export function renderFailure(stderr: Output, failure: Failure, mode: OutputMode, scriptName: string): void {
  const problem: ProblemDetails = failure.problem;
  if (mode === 'json') {
    stderr.write(`${JSON.stringify(problem)}\n`);
    return;
  }
  const lines: string[] = [];
  const request = problem.requestId === undefined ? '' : ` (request ${problem.requestId})`;
  const usage = failure.local && problem.code === 'INVALID_INPUT';
  lines.push(usage ? `error: ${problem.detail}` : `error: ${problem.code}: ${problem.detail}${request}`);
  for (const field of problem.errors ?? []) lines.push(`  - ${field.path === '' ? '(input)' : field.path}: ${field.message}`);
  if (problem.retryAfter !== undefined) lines.push(`  retry after ${problem.retryAfter} s`);
  if (usage) lines.push(`Run "${scriptName} --help" for usage.`);
  stderr.write(`${lines.join('\n')}\n`);
}

/** `--verbose`: call facts on stderr, never mixed into the result. */
export function renderFacts(stderr: Output, facts: { operation?: string; requestId?: string; durationMs?: number; rateLimit?: RateLimitInfo; replayed?: true }, mode: OutputMode): void {
  if (mode === 'json') {
    stderr.write(`${JSON.stringify(facts)}\n`);
    return;
  }
  const parts = [
    facts.operation === undefined ? undefined : `running ${facts.operation}`,
    facts.requestId === undefined ? undefined : `request ${facts.requestId}`,
    facts.replayed === undefined ? undefined : 'replayed the stored result of an earlier call with this idempotency key',
    facts.durationMs === undefined ? undefined : `${facts.durationMs.toFixed(1)} ms`,
    facts.rateLimit === undefined ? undefined : `rate limit ${facts.rateLimit.remaining}/${facts.rateLimit.limit} left, resets ${new Date(facts.rateLimit.reset * 1000).toISOString()}`,
  ];
  stderr.write(`${parts.filter(Boolean).join(', ')}\n`);
}

/** Where a paged list goes on: stderr, so stdout keeps the page's records alone. */
export function renderNextCursor(stderr: Output, cursor: string, mode: OutputMode): void {
  stderr.write(mode === 'json' ? `${JSON.stringify({ nextCursor: cursor })}\n` : `more: operations list --cursor ${cursor}\n`);
}

/** A one-line heads-up on stderr (no credential, ...); never on stdout, which carries only results. */
export function notice(stderr: Output, message: string, mode: OutputMode): void {
  stderr.write(mode === 'json' ? `${JSON.stringify({ notice: message })}\n` : `note: ${message}\n`);
}
