import type { NexusContext } from './context.js';
import type { NexusResult } from './dispatch.js';
import { CancelledError, InternalError, InvalidInputError, NexusError, TimeoutError } from './errors.js';
import type { FieldError } from './errors.js';
import type { OperationDefinition } from './operation.js';
import type { z } from 'zod';

/** The result of `invoke` (and of an `invoke` dispatch): the handler's value or the error. */
export type InvocationResult = NexusResult<unknown>;

/** The signal of calls whose channel cannot cancel; shared, so the handler never listens to it. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

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
  if (definition.output === undefined) {
    assertSerialisable(definition, value);
    return value;
  }
  const parsed = await definition.output.safeParseAsync(value);
  if (parsed.success) {
    assertSerialisable(definition, parsed.data);
    return parsed.data;
  }
  // The caller did nothing wrong; the cause is logged, not shown.
  throw new InternalError(undefined, { cause: new Error(`output of "${definition.name}" failed its schema: ${JSON.stringify(fieldErrors(parsed.error.issues))}`) });
}

// Calls that share a caller's signal (the HTTP channel's one per connection) share one listener
// on it: adding and removing an EventTarget listener per call costs more than a Set entry.
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

function onAbort(signal: AbortSignal, listener: () => void): () => void {
  let listeners = watchers.get(signal);
  if (listeners === undefined) {
    const created = new Set<() => void>();
    listeners = created;
    watchers.set(signal, created);
    signal.addEventListener('abort', () => [...created].forEach((call) => call()), { once: true });
  }
  const own = listeners;
  own.add(listener);
  return () => own.delete(listener);
}

/**
 * Runs the handler under its own abort signal: aborted when the caller cancels or the
 * deadline passes. The caller gets its answer at that moment even if the handler ignores the signal.
 */
export function runHandler(ctx: NexusContext, defaultTimeoutMs: number): Promise<unknown> {
  const definition = ctx.definition!;
  const outer = ctx.signal;
  if (outer.aborted) return Promise.reject(new CancelledError());
  const timeoutMs = definition.timeoutMs ?? defaultTimeoutMs;
  // The handler's controller is made only when the handler reads ctx.signal: most never do,
  // and an AbortController per call is a measurable share of a fast handler's cost.
  let controller: AbortController | undefined;
  let failure: NexusError | undefined;
  const signalOf = (): AbortSignal => {
    controller ??= new AbortController();
    if (failure !== undefined && !controller.signal.aborted) controller.abort(failure);
    return controller.signal;
  };

  return new Promise<unknown>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      stopWatching?.();
    };
    const fail = (error: NexusError) => {
      finish();
      failure ??= error;
      if (controller !== undefined && !controller.signal.aborted) controller.abort(failure);
      reject(failure);
    };
    const onCancel = () => fail(new CancelledError());
    const timer = setTimeout(() => fail(new TimeoutError(`The operation did not finish within ${timeoutMs} ms.`)), timeoutMs);
    const stopWatching = outer === NEVER_ABORTED ? undefined : onAbort(outer, onCancel);

    const handlerCtx: NexusContext = {
      ...ctx,
      get signal() {
        return signalOf();
      },
    };
    Promise.resolve()
      .then(() => definition.execute(ctx.input, handlerCtx))
      .then((value) => checkOutput(definition, value))
      .then(
        (value) => {
          finish();
          resolve(value);
        },
        (error: unknown) => {
          finish();
          // An abort the handler re-throws keeps the pipeline's reason (TIMEOUT or CANCELLED).
          reject(failure ?? error);
        },
      );
  });
}
