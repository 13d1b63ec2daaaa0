import type { InvocationInit, ListInit, NexusContext, Principal } from './context.js';
import { createContext } from './create-context.js';
import type { NexusRequest, NexusResult, SubmitRequest } from './dispatch.js';
import { UnavailableError, isNexusError, outcomeOf, toNexusError } from './errors.js';
import type { NexusError } from './errors.js';
import type { InvocationResult } from './invocation.js';
import type { Logger } from './logger.js';
import { UNKNOWN_OPERATION_LABEL } from './metrics.js';
import type { NexusMetrics } from './metrics.js';
import type { OperationDescriptor } from './operation.js';
import type { OperationRegistry } from './operation-registry.js';
import type { Terminal } from './compose.js';
import type { Pipelines } from './pipelines.js';

/** Pseudo operation name of catalogue requests; `$` keeps it outside the operation-name grammar. */
export const LIST_OPERATION = '$list';
/** Pseudo operation name of channel-native routes admitted by a `route` dispatch. */
export const ROUTE_OPERATION = '$route';

/** What the runner needs from the app it serves. */
export interface RunnerDependencies {
  readonly logger: Logger;
  readonly metrics: NexusMetrics;
  readonly pipelines: Pipelines;
  readonly operations: OperationRegistry;
  /** Starts the app's plugins if nothing has yet; undefined once started, so a running app's calls wait on nothing. */
  readonly startIfIdle: () => Promise<void> | undefined;
  readonly stopped: () => boolean;
}

/**
 * Runs every request `app.dispatch()` receives: one context per request, counted in flight
 * (`stop()` waits for them), answered as a `NexusResult`, never thrown. Internal to core.
 */
export class RequestRunner {
  private inFlight = 0;
  private drained: (() => void) | undefined;

  constructor(private readonly deps: RunnerDependencies) {}

  /** Every purpose but `submit`, which the app's job manager takes. */
  dispatch(request: Exclude<NexusRequest, SubmitRequest>): Promise<NexusResult<unknown>> {
    switch (request.purpose) {
      case 'invoke':
        return this.invoke(request);
      case 'list':
        return this.catalogue(request);
      case 'route':
        return this.run(createContext(this.deps.logger, request, ROUTE_OPERATION, undefined, 'route'), ROUTE_OPERATION, this.deps.pipelines.route(request.route, request.admission));
      case 'authenticate':
        return this.judge(request, request.as ?? 'list');
    }
  }

  invoke(init: InvocationInit): Promise<InvocationResult> {
    const definition = this.deps.operations.get(init.operation);
    const ctx = createContext(this.deps.logger, init, init.operation, definition, 'invoke');
    return this.run(ctx, definition ? definition.name : UNKNOWN_OPERATION_LABEL, this.deps.pipelines.invokeFor(init.admission));
  }

  async catalogue(init: ListInit): Promise<NexusResult<OperationDescriptor[]>> {
    const ctx = createContext(this.deps.logger, init, LIST_OPERATION, undefined, 'list');
    try {
      const starting = this.deps.startIfIdle();
      if (starting !== undefined) await starting;
      const operations = (await this.deps.pipelines.listFor(init.admission)(ctx)) as OperationDescriptor[];
      return { ok: true, requestId: ctx.requestId, value: operations, durationMs: performance.now() - ctx.startedAt, annotations: ctx.annotations };
    } catch (thrown) {
      return this.failure(ctx, LIST_OPERATION, thrown);
    }
  }

  /** The authenticate phase alone; a refusal passes the observe phase, so a failed login leaves a trace. */
  async judge(init: ListInit, purpose: 'list' | 'route'): Promise<NexusResult<Principal | undefined>> {
    const ctx = createContext(this.deps.logger, init, purpose === 'list' ? LIST_OPERATION : ROUTE_OPERATION, undefined, purpose);
    try {
      const starting = this.deps.startIfIdle();
      if (starting !== undefined) await starting;
      const principal = (await this.deps.pipelines.authenticate(ctx)) as Principal | undefined;
      return { ok: true, requestId: ctx.requestId, value: principal, durationMs: performance.now() - ctx.startedAt, annotations: ctx.annotations };
    } catch (thrown) {
      const error = toNexusError(thrown);
      if (error.code === 'INTERNAL') ctx.logger.error('authentication check failed', { channel: ctx.channel, error: isNexusError(thrown) ? thrown.cause ?? thrown : thrown });
      await this.deps.pipelines.observeRefusal(ctx, thrown).catch(() => undefined);
      return { ok: false, requestId: ctx.requestId, error, durationMs: performance.now() - ctx.startedAt, annotations: ctx.annotations };
    }
  }

  /** Resolves once no call is in flight, or after `graceMs`, whichever comes first. */
  waitForDrain(graceMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private failure(ctx: NexusContext, label: string, thrown: unknown): Extract<InvocationResult, { ok: false }> {
    const error: NexusError = toNexusError(thrown);
    if (error.code === 'INTERNAL') {
      ctx.logger.error('operation failed', { operation: ctx.operation, channel: ctx.channel, error: isNexusError(thrown) ? thrown.cause ?? thrown : thrown });
    }
    const durationMs = performance.now() - ctx.startedAt;
    this.deps.metrics.observe(ctx.channel, label, outcomeOf(error.code), durationMs / 1000);
    return { ok: false, requestId: ctx.requestId, error, durationMs, annotations: ctx.annotations };
  }

  /** Counts the call in flight, runs it, and answers either outcome (jobs run their handlers through it too). */
  async run(ctx: NexusContext, label: string, pipeline: Terminal): Promise<InvocationResult> {
    this.inFlight++;
    try {
      const starting = this.deps.startIfIdle();
      if (starting !== undefined) await starting;
      if (this.deps.stopped()) throw new UnavailableError('The service is stopped.');
      const value = await pipeline(ctx);
      const durationMs = performance.now() - ctx.startedAt;
      this.deps.metrics.observe(ctx.channel, label, 'allowed', durationMs / 1000);
      return { ok: true, requestId: ctx.requestId, value, durationMs, annotations: ctx.annotations };
    } catch (thrown) {
      return this.failure(ctx, label, thrown);
    } finally {
      if (--this.inFlight === 0) this.drained?.();
    }
  }
}
