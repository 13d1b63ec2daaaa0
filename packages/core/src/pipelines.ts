import type { NexusContext } from './context.js';
import { NotFoundError, isNexusError } from './errors.js';
import { checkInputRules } from './input-rules.js';
import { runHandler, validateInput } from './invocation.js';
import { describeOperation, permissionProbe } from './operation.js';
import type { OperationDefinition, OperationDescriptor } from './operation.js';
import { createIdempotencyStage } from './idempotency/stage.js';
import type { IdempotencySettings } from './idempotency/stage.js';
import { endAdmission, reachAdmission } from './admission.js';
import type { Admission } from './admission.js';
import { compose } from './compose.js';
import type { Authorizer, Phase, Stage, StageEntry, Terminal } from './compose.js';

/**
 * The stages and authorizers plugins contribute, and the pipelines composed from them: one per
 * purpose, built on first use and rebuilt after a stage is added.
 */
export class Pipelines {
  private readonly stages: StageEntry[] = [];
  private readonly authorizers: Authorizer[] = [];
  private built: { invoke?: Terminal; list?: Terminal; authenticate?: Terminal; admission?: StageEntry[]; observe?: StageEntry[] } = {};
  private idempotency: IdempotencySettings | undefined;

  constructor(
    private readonly operations: () => Iterable<OperationDefinition>,
    private readonly defaultTimeoutMs: number,
  ) {}

  addStage(entry: StageEntry): void {
    this.stages.push(entry);
    this.built = {};
  }

  /** Turns the idempotency stage on (settings) or off (undefined). */
  setIdempotency(settings: IdempotencySettings | undefined): void {
    this.idempotency = settings;
    this.built = {};
  }

  addAuthorizer(authorizer: Authorizer): void {
    this.authorizers.push(authorizer);
  }

  hasPhase(phase: Phase): boolean {
    return this.stages.some((entry) => entry.phase === phase);
  }

  /** Every phase, core's existence check, authorization, validation and the handler. */
  get invoke(): Terminal {
    return (this.built.invoke ??= this.buildInvoke((ctx) => runHandler(ctx, this.defaultTimeoutMs)));
  }

  /** The invoke pipeline, paused at `admission` for the channel when one is given. */
  invokeFor(admission: Admission | undefined): Terminal {
    return admission === undefined ? this.invoke : this.buildInvoke((ctx) => runHandler(ctx, this.defaultTimeoutMs), admission);
  }

  /** The invoke pipeline with `terminal` in place of the handler (a job submission queues there). */
  submit(terminal: Terminal, admission?: Admission): Terminal {
    return this.buildInvoke(terminal, admission);
  }

  /** The observe phase alone around `terminal`: a job's completion is recorded like a call. */
  observed(terminal: Terminal): Terminal {
    return compose((this.built.observe ??= this.stages.filter((entry) => entry.phase === 'observe')), terminal);
  }

  /** Phases up to `limit`, then the catalogue filtered by the authorizers. */
  get list(): Terminal {
    return (this.built.list ??= compose(this.admissionStages(), (ctx) => this.visibleOperations(ctx)));
  }

  /** The catalogue pipeline, paused at `admission` for the channel when one is given. */
  listFor(admission: Admission | undefined): Terminal {
    return admission === undefined ? this.list : paused(this.admissionStages(), (ctx) => this.visibleOperations(ctx), admission);
  }

  /** The authenticate phase alone, answering with the principal it resolved. */
  get authenticate(): Terminal {
    return (this.built.authenticate ??= compose(
      this.stages.filter((entry) => entry.phase === 'authenticate'),
      async (ctx) => ctx.principal,
    ));
  }

  /** The observe phase around a refusal decided elsewhere, so it is recorded like a refused call. */
  observeRefusal(ctx: NexusContext, thrown: unknown): Promise<unknown> {
    return compose(this.stages.filter((entry) => entry.phase === 'observe'), () => Promise.reject(thrown))(ctx);
  }

  /**
   * Phases up to `limit` around a native route: `route` answers, or the channel itself once
   * `admission` hands it the context (then the route's value is what the channel answers).
   */
  route(route: ((ctx: NexusContext) => unknown) | undefined, admission?: Admission): Terminal {
    const terminal: Terminal = async (ctx) => route?.(ctx);
    return admission === undefined ? compose(this.admissionStages(), terminal) : paused(this.admissionStages(), terminal, admission);
  }

  /** Asks the authorizers whether the caller holds `permission`, as for an operation requiring it. */
  async checkPermission(ctx: NexusContext, permission: string): Promise<void> {
    const probe = permissionProbe(permission);
    for (const authorizer of this.authorizers) await authorizer(ctx, probe);
  }

  private admissionStages(): StageEntry[] {
    return (this.built.admission ??= this.stages.filter((entry) => entry.phase !== 'validate'));
  }

  private buildInvoke(terminal: Terminal, admission?: Admission): Terminal {
    // Core's own steps sit at fixed points: existence after authentication (so unknown names
    // are not revealed to anonymous callers), authorization, then validation, then the handler.
    const resolve: StageEntry = {
      phase: 'tenant',
      name: 'nexus:resolve',
      stage: (ctx, next) => (ctx.definition ? next() : Promise.reject(new NotFoundError(`Unknown operation "${ctx.operation}".`))),
    };
    const authorizeAndValidate: StageEntry = {
      phase: 'validate',
      name: 'nexus:authorize-validate',
      stage: (ctx, next) => {
        const authorized = this.authorizeCall(ctx, ctx.definition!);
        return authorized === undefined ? validated(ctx, next) : authorized.then(() => validated(ctx, next));
      },
    };
    // Right after validation, so refused and invalid calls store nothing.
    const idempotency: StageEntry[] = this.idempotency === undefined
      ? []
      : [{ phase: 'validate', name: 'nexus:idempotency', stage: createIdempotencyStage(this.idempotency) }];
    // compose() sorts stably by phase, so listing core's steps first makes each the first of its phase.
    const entries = [resolve, authorizeAndValidate, ...idempotency, ...this.stages];
    return admission === undefined ? compose(entries, terminal) : paused(entries, terminal, admission);
  }

  /**
   * Runs the authorizers, then the operation's guards, in order; undefined when every one
   * answered synchronously (the usual case), so a call pays no promise per check.
   */
  private authorizeCall(ctx: NexusContext, definition: OperationDefinition): Promise<void> | undefined {
    // Public operations skip authorizers (they need no principal) but keep their own guards.
    const authorizers = definition.public ? NO_AUTHORIZERS : this.authorizers;
    const guards = definition.guards;
    const total = authorizers.length + guards.length;
    for (let index = 0; index < total; index++) {
      const pending = index < authorizers.length ? authorizers[index]!(ctx, definition) : guards[index - authorizers.length]!(ctx);
      if (pending !== undefined && pending !== null && typeof (pending as PromiseLike<void>).then === 'function') {
        return Promise.resolve(pending).then(() => this.finishAuthorizing(ctx, definition, index + 1));
      }
    }
    return undefined;
  }

  /** The checks after `from`, once one of them answered with a promise. */
  private async finishAuthorizing(ctx: NexusContext, definition: OperationDefinition, from: number): Promise<void> {
    const authorizers = definition.public ? NO_AUTHORIZERS : this.authorizers;
    const guards = definition.guards;
    for (let index = from; index < authorizers.length + guards.length; index++) {
      await (index < authorizers.length ? authorizers[index]!(ctx, definition) : guards[index - authorizers.length]!(ctx));
    }
  }

  private async visibleOperations(ctx: NexusContext): Promise<OperationDescriptor[]> {
    const visible: OperationDescriptor[] = [];
    for (const definition of this.operations()) {
      try {
        await this.authorizeCall(ctx, definition);
        visible.push(describeOperation(definition));
      } catch (error) {
        if (!isNexusError(error)) throw error;
      }
    }
    return visible;
  }
}

const NO_AUTHORIZERS: readonly Authorizer[] = [];

// Here, once, for every channel: each parses its own framing, none decides these rules.
function validated(ctx: NexusContext, next: Parameters<Stage>[1]): Promise<unknown> {
  checkInputRules(ctx.input);
  return validateInput(ctx.definition!, ctx.input).then((input) => next({ input }));
}

/**
 * `entries` around `terminal` with the admission as the last step of the limit phase, so the
 * channel gets the context every admission stage produced, whatever order they were added in.
 */
function paused(entries: readonly StageEntry[], terminal: Terminal, admission: Admission): Terminal {
  const pause: StageEntry = {
    phase: 'limit',
    name: 'nexus:admission',
    stage: async (ctx, next) => {
      const decision = await reachAdmission(admission, ctx);
      if (decision.kind === 'proceed') return next();
      if (decision.kind === 'refuse') throw decision.error;
      return decision.value;
    },
  };
  const pipeline = compose([...entries, pause], terminal);
  return (ctx) => {
    const running = pipeline(ctx);
    running.then(() => endAdmission(admission), () => endAdmission(admission));
    return running;
  };
}
