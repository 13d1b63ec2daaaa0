import type { NexusContext } from './context.js';
import type { NexusResult } from './dispatch.js';
import { CancelledError, InternalError, InvalidInputError } from './errors.js';
import type { FieldError } from './errors.js';
import type { OperationDefinition } from './operation.js';
import type { z } from 'zod';
import { HandlerCall } from './handler-call.js';

/** The result of `invoke` (and of an `invoke` dispatch): the handler's value or the error. */
export type InvocationResult = NexusResult<unknown>;

export { NEVER_ABORTED } from './handler-call.js';

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join('.');
}

export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message }));
}

/** Parses input against the operation's schema; the parsed value (defaults applied) replaces it. */
export async function validateInput(definition: OperationDefinition, input: unknown): Promise<unknown> {
  const parsed = await definition.input.safeParseAsync(input);
  if (parsed.success) return parsed.data;
  throw new InvalidInputError('The input does not match the operation schema.', { errors: fieldErrors(parsed.error.issues) });
}

/**
 * Results travel as JSON on every channel. A result that cannot be written as JSON (a BigInt, a
 * cycle) fails here, inside the pipeline, so the caller, the audit record and the metrics all
 * see the same INTERNAL instead of each channel failing its own way after a recorded success.
 */
function assertSerialisable(definition: OperationDefinition, value: unknown): void {
  try {
    JSON.stringify(value);
  } catch (cause) {
    throw new InternalError(undefined, { cause: new Error(`the result of "${definition.name}" is not JSON-serialisable`, { cause }) });
  }
}

async function checkOutput(definition: OperationDefinition, value: unknown): Promise<unknown> {
  const parsed = await definition.output!.safeParseAsync(value);
  if (parsed.success) {
    assertSerialisable(definition, parsed.data);
    return parsed.data;
  }
  // The caller did nothing wrong; the cause is logged, not shown.
  throw new InternalError(undefined, { cause: new Error(`output of "${definition.name}" failed its schema: ${JSON.stringify(fieldErrors(parsed.error.issues))}`) });
}

/**
 * Runs the handler under its own abort signal: aborted when the caller cancels or the
 * deadline passes. The caller gets its answer at that moment even if the handler ignores the signal.
 */
export function runHandler(ctx: NexusContext, defaultTimeoutMs: number): Promise<unknown> {
  const definition = ctx.definition!;
  if (ctx.signal.aborted) return Promise.reject(new CancelledError());
  const call = new HandlerCall(definition, definition.timeoutMs ?? defaultTimeoutMs, ctx.signal);
  let value: unknown;
  try {
    value = definition.execute(ctx.input, call.contextFor(ctx));
  } catch (error) {
    call.error(error);
    return call.promise;
  }
  // A synchronous handler's value is checked at once, without a promise hop per step.
  if (typeof (value as PromiseLike<unknown> | null)?.then === 'function') {
    Promise.resolve(value).then((resolved) => settle(call, resolved), (error: unknown) => call.error(error));
  } else {
    settle(call, value);
  }
  return call.promise;
}

function settle(call: HandlerCall, value: unknown): void {
  const definition = call.definition;
  if (definition.output !== undefined) {
    checkOutput(definition, value).then((checked) => call.succeed(checked), (error: unknown) => call.error(error));
    return;
  }
  try {
    assertSerialisable(definition, value);
  } catch (error) {
    call.error(error);
    return;
  }
  call.succeed(value);
}
