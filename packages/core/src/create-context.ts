import type { Credential, InvocationInit, ListInit, NexusContext, Purpose } from './context.js';
import { PLAIN } from './context-shape.js';
import { NEVER_ABORTED } from './handler-call.js';
import { RequestLogger } from './logger.js';
import type { Logger } from './logger.js';
import type { OperationDefinition } from './operation.js';
import { DEFAULT_POLICY } from './policy.js';
import type { Policy } from './policy.js';
import { acceptRequestId } from './protocol/headers.js';

const NONE: Credential = { kind: 'none' };
const noProgress = () => {};

/**
 * The context a call starts with: the channel's neutral request plus what core adds (id, clock,
 * logger). Every field is present from the start, optional ones as undefined, so each stage's
 * copy keeps one hidden class (see context-shape.ts).
 */
export function createContext(
  logger: Logger,
  init: ListInit,
  operation: string,
  definition: OperationDefinition | undefined,
  purpose: Purpose,
): NexusContext {
  const requestId = acceptRequestId(init.requestId);
  const onProgress = (init as InvocationInit).onProgress;
  const progress: NexusContext['progress'] = onProgress === undefined
    ? noProgress
    : (update, total, message) => (typeof update === 'number' ? onProgress(update, total, message) : onProgress(update.current, update.total, update.message));
  const ctx: NexusContext & { readonly [PLAIN]: boolean } = {
    requestId,
    channel: init.channel,
    purpose,
    operation,
    definition,
    // A route's policy comes with its request; an operation's with its definition, never from the caller.
    policy: definition?.policy ?? (purpose === 'route' ? (init as { readonly policy?: Policy }).policy ?? DEFAULT_POLICY : DEFAULT_POLICY),
    input: (init as InvocationInit).input ?? {},
    credential: init.credential ?? NONE,
    principal: undefined,
    tenant: undefined,
    clientAddress: init.clientAddress,
    traceparent: init.traceparent,
    transport: init.transport ?? {},
    signal: init.signal ?? NEVER_ABORTED,
    logger: new RequestLogger(logger, requestId),
    startedAt: performance.now(),
    extensions: {},
    annotations: {},
    native: init.native,
    progress,
    [PLAIN]: true,
  };
  return ctx;
}
