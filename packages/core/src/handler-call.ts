import type { NexusContext } from './context.js';
import { isPlainContext } from './context-shape.js';
import { Deadline, cancelDeadline, startDeadline } from './deadlines.js';
import { CancelledError, TimeoutError } from './errors.js';
import type { NexusError } from './errors.js';
import type { OperationDefinition } from './operation.js';

/** The signal of calls whose channel cannot cancel; shared, so the handler never listens to it. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

interface Cancellable {
  cancel(): void;
}

// Calls that share a caller's signal (the HTTP channel's one per connection) share one listener
// on it: adding and removing an EventTarget listener per call costs more than a Set entry.
const watchers = new WeakMap<AbortSignal, Set<Cancellable>>();

function watch(signal: AbortSignal, call: Cancellable): Set<Cancellable> {
  let listeners = watchers.get(signal);
  if (listeners === undefined) {
    const created = new Set<Cancellable>();
    listeners = created;
    watchers.set(signal, created);
    signal.addEventListener('abort', () => [...created].forEach((each) => each.cancel()), { once: true });
  }
  listeners.add(call);
  return listeners;
}

/**
 * One handler run: its deadline, its place among the caller signal's watchers, and its abort
 * controller, made only when the handler reads `ctx.signal` (most never do, and an
 * AbortController with its signal costs more than the rest of a fast call's bookkeeping).
 * One object per call instead of a closure per callback.
 */
export class HandlerCall extends Deadline implements Cancellable {
  private controller: AbortController | undefined = undefined;
  private failure: NexusError | undefined = undefined;
  private watching: Set<Cancellable> | undefined = undefined;
  private resolve!: (value: unknown) => void;
  private reject!: (error: unknown) => void;
  readonly promise: Promise<unknown>;

  constructor(
    readonly definition: OperationDefinition,
    private readonly timeoutMs: number,
    outer: AbortSignal,
  ) {
    super();
    this.promise = new Promise<unknown>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    startDeadline(this, timeoutMs);
    if (outer !== NEVER_ABORTED) this.watching = watch(outer, this);
  }

  /** The handler's signal, aborted with the pipeline's reason once the call timed out or was cancelled. */
  signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.failure !== undefined && !this.controller.signal.aborted) this.controller.abort(this.failure);
    return this.controller.signal;
  }

  expire(): void {
    this.fail(new TimeoutError(`The operation did not finish within ${this.timeoutMs} ms.`));
  }

  cancel(): void {
    this.fail(new CancelledError());
  }

  succeed(value: unknown): void {
    this.finish();
    this.resolve(value);
  }

  /** The handler (or its output check) threw: an abort it re-throws keeps the pipeline's reason (TIMEOUT or CANCELLED). */
  error(error: unknown): void {
    this.finish();
    this.reject(this.failure ?? error);
  }

  private fail(error: NexusError): void {
    this.finish();
    this.failure ??= error;
    if (this.controller !== undefined && !this.controller.signal.aborted) this.controller.abort(this.failure);
    this.reject(this.failure);
  }

  private finish(): void {
    cancelDeadline(this);
    this.watching?.delete(this);
  }

  /** The context the handler sees: the pipeline's, with `signal` read lazily from this call. */
  contextFor(ctx: NexusContext): NexusContext {
    if (isPlainContext(ctx)) return new HandlerContext(ctx, this);
    const call = this;
    // Fields core does not know (set by a stage's patch) are kept; this copy is the slower one.
    return {
      ...ctx,
      get signal() {
        return call.signal();
      },
    };
  }
}

/**
 * The handler's context: every field of the pipeline's context, copied one by one (a spread
 * plus an accessor of its own made a new hidden class per call), and `signal` as an own,
 * enumerable accessor, so a handler spreading its context still gets the signal.
 */
class HandlerContext implements NexusContext {
  readonly #call: HandlerCall;
  declare readonly signal: AbortSignal;
  readonly requestId: string;
  readonly channel: NexusContext['channel'];
  readonly purpose: NexusContext['purpose'];
  readonly operation: string;
  readonly definition: NexusContext['definition'];
  readonly policy: NexusContext['policy'];
  readonly input: unknown;
  readonly credential: NexusContext['credential'];
  readonly principal: NexusContext['principal'];
  readonly tenant: NexusContext['tenant'];
  readonly clientAddress: string | undefined;
  readonly traceparent: string | undefined;
  readonly transport: NexusContext['transport'];
  readonly logger: NexusContext['logger'];
  readonly startedAt: number;
  readonly extensions: NexusContext['extensions'];
  readonly annotations: NexusContext['annotations'];
  readonly native: unknown;
  readonly progress: NexusContext['progress'];

  static readonly #signal: PropertyDescriptor = {
    get(this: HandlerContext) {
      return this.#call.signal();
    },
    enumerable: true,
    configurable: true,
  };

  constructor(ctx: NexusContext, call: HandlerCall) {
    Object.defineProperty(this, 'signal', HandlerContext.#signal);
    this.#call = call;
    this.requestId = ctx.requestId;
    this.channel = ctx.channel;
    this.purpose = ctx.purpose;
    this.operation = ctx.operation;
    this.definition = ctx.definition;
    this.policy = ctx.policy;
    this.input = ctx.input;
    this.credential = ctx.credential;
    this.principal = ctx.principal;
    this.tenant = ctx.tenant;
    this.clientAddress = ctx.clientAddress;
    this.traceparent = ctx.traceparent;
    this.transport = ctx.transport;
    this.logger = ctx.logger;
    this.startedAt = ctx.startedAt;
    this.extensions = ctx.extensions;
    this.annotations = ctx.annotations;
    this.native = ctx.native;
    this.progress = ctx.progress;
  }
}
