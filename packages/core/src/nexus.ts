import type { z } from 'zod';
import type { HandlerContext, InvocationInit, NexusContext, NexusEnv } from './context.js';
import { runHealthChecks } from './health.js';
import type { HealthCheck, HealthReport } from './health.js';
import type { DispatchValue, NexusRequest, NexusResult } from './dispatch.js';
import type { InvocationResult } from './invocation.js';
import { createJsonLogger } from './logger.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { RequestRunner } from './request-runner.js';
import type { NexusMetrics } from './metrics.js';
import { defineHandler, defineWorkflow } from './operation.js';
import type { HandlerFn, HandlerOptions, HandlerOutput, OperationDefinition, RegisterOptions, RunnableWorkflow } from './operation.js';
import type { Authorizer, Phase, Stage } from './compose.js';
import { OperationRegistry } from './operation-registry.js';
import { resolveIdempotency } from './idempotency/options.js';
import type { IdempotencyOptions } from './idempotency/options.js';
import { Pipelines } from './pipelines.js';
import type { Channel, ChannelAddress, Plugin } from './plugin.js';
import { Lifecycle } from './lifecycle.js';
import { resolveNexusOptions } from './nexus-options.js';
import type { NexusOptions, NexusState, ResolvedNexusOptions } from './nexus-options.js';
import { NexusSetupError } from './setup-error.js';
import { JobManager } from './jobs/manager.js';
import type { JobsOptions } from './jobs/manager.js';
import { TENANT_HEADER } from './protocol/headers.js';

export type { NexusOptions, NexusState, ResolvedNexusOptions } from './nexus-options.js';
export { LIST_OPERATION, ROUTE_OPERATION } from './request-runner.js';

/**
 * The application: operations registered once, served by every channel through one pipeline.
 * @example
 * const app = new Nexus({ enableMonitoring: true });
 * app.handler('echo', { description: 'Echo', input: z.object({ message: z.string() }) }, async ({ message }) => ({ message }));
 * app.addChannel(createApiChannel());
 * await app.start();
 */
export class Nexus<E extends NexusEnv = NexusEnv> {
  readonly options: ResolvedNexusOptions;
  readonly logger: Logger;
  readonly metrics: NexusMetrics;
  private readonly operations: OperationRegistry;
  private readonly healthChecks = new Map<string, HealthCheck>();
  private readonly pipelines: Pipelines;
  private authenticationRequired: boolean | undefined;
  private readonly issuers: string[] = [];
  private requestedTenantHeader: string = TENANT_HEADER;
  private readonly requests: RequestRunner;
  private readonly idempotencyOff: boolean;
  private readonly lifecycle: Lifecycle;
  /** Long-running operations: submission, lookup, cancel, and the worker of this process. */
  readonly jobs: JobManager;

  constructor(options: NexusOptions = {}) {
    this.options = resolveNexusOptions(options);
    this.logger = options.logger ?? createJsonLogger();
    this.metrics = createMetrics({ defaultMetrics: this.options.enableMonitoring });
    this.operations = new OperationRegistry(this.metrics, this.logger);
    this.pipelines = new Pipelines(() => this.operations.values(), this.options.defaultTimeoutMs);
    this.requests = new RequestRunner({
      logger: this.logger,
      metrics: this.metrics,
      pipelines: this.pipelines,
      operations: this.operations,
      startIfIdle: () => (this.lifecycle.started ? undefined : this.ready()),
      stopped: () => this.lifecycle.state === 'stopped',
    });
    this.idempotencyOff = options.idempotency === false;
    if (options.idempotency !== false) this.applyIdempotency(options.idempotency ?? {});
    this.jobs = new JobManager({
      logger: this.logger.child({ component: 'jobs' }),
      metrics: this.metrics,
      operation: (name) => this.operations.get(name),
      hasLongRunning: () => [...this.operations.values()].some((definition) => definition.longRunning),
      addHealthCheck: (name, check) => void this.addHealthCheck(name, check),
      pipelines: this.pipelines,
      run: (ctx, label, pipeline) => this.requests.run(ctx, label, pipeline),
    });
    this.lifecycle = new Lifecycle({
      app: this,
      logger: this.logger,
      options: this.options,
      logStartup: options.logStartup ?? false,
      waitForDrain: (graceMs) => this.requests.waitForDrain(graceMs),
      jobs: this.jobs,
    });
  }

  /** Where jobs live and whether this process works them; only before the app starts. */
  configureJobs(options: JobsOptions): this {
    this.lifecycle.assertNotStarted('job settings');
    this.jobs.configure(options);
    return this;
  }

  /** Replaces the idempotency settings (a plugin's `setup` may); a no-op with `idempotency: false`. Only before start. */
  configureIdempotency(options: IdempotencyOptions): this {
    this.lifecycle.assertNotStarted('idempotency settings');
    if (!this.idempotencyOff) this.applyIdempotency(options);
    return this;
  }

  private applyIdempotency(options: IdempotencyOptions): void {
    this.pipelines.setIdempotency(resolveIdempotency(options, this.options.defaultTimeoutMs, this.logger.child({ component: 'idempotency' })));
  }

  get state(): NexusState {
    return this.lifecycle.state;
  }

  /** Registers a handler operation, served on every channel. */
  handler<S extends z.ZodType, O extends z.ZodType | undefined = undefined, P extends boolean = false>(
    name: string,
    options: HandlerOptions<S, O, P>,
    handler: HandlerFn<z.output<S>, NoInfer<HandlerOutput<O>>, HandlerContext<E, P>>,
  ): this {
    this.operations.add(defineHandler(name, options, handler));
    return this;
  }

  /** Registers a built workflow (`builder.build()`) as an operation. */
  register(name: string, workflow: RunnableWorkflow, options?: RegisterOptions): this {
    this.operations.add(defineWorkflow(name, workflow, options));
    return this;
  }

  deregister(name: string): boolean {
    return this.operations.delete(name);
  }

  operation(name: string): OperationDefinition | undefined {
    return this.operations.get(name);
  }

  /** Every registered operation, regardless of caller; channels show `list()` to callers instead. */
  allOperations(): OperationDefinition[] {
    return [...this.operations.values()];
  }

  /** Subscribes to registrations and removals at runtime; returns the unsubscribe function. */
  onOperationsChanged(listener: () => void): () => void {
    return this.operations.subscribe(listener);
  }

  /** Adds a stage to a phase. Within a phase, stages run in the order they were added. */
  use(phase: Exclude<Phase, 'authorize'>, stage: Stage, name = stage.name || 'anonymous'): this {
    this.pipelines.addStage({ phase, stage, name });
    return this;
  }

  /**
   * Whether callers are expected to present a credential. True once a plugin adds an
   * authenticate stage, unless a plugin sets it; channels use it to refuse an anonymous
   * handshake before any operation runs (public operations remain reachable either way).
   */
  get requiresAuthentication(): boolean {
    return this.authenticationRequired ?? this.pipelines.hasPhase('authenticate');
  }

  set requiresAuthentication(required: boolean) {
    this.authenticationRequired = required;
  }

  /**
   * Where callers obtain credentials: the token issuers (OAuth authorization servers) that
   * plugins declare. Channels advertise them, e.g. in OAuth protected-resource metadata.
   */
  get authorizationServers(): readonly string[] {
    return this.issuers;
  }

  /**
   * The HTTP header in which callers name the tenant they ask for (lower case, `x-tenant-id` by
   * default). A tenancy plugin sets it from its configuration; every HTTP-carried channel reads
   * the requested tenant there and names the resolved one in the same header.
   */
  get tenantHeader(): string {
    return this.requestedTenantHeader;
  }

  set tenantHeader(name: string) {
    this.lifecycle.assertNotStarted('the tenant header');
    if (typeof name !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `the tenant header "${String(name)}" is not a valid HTTP header name`);
    }
    this.requestedTenantHeader = name.toLowerCase();
  }

  /** Declares an issuer whose tokens this app accepts (called by auth plugins). Idempotent. */
  addAuthorizationServer(issuer: string): this {
    if (!this.issuers.includes(issuer)) this.issuers.push(issuer);
    return this;
  }

  /** Adds an authorize-phase check; it decides both calls and catalogue visibility. */
  authorize(authorizer: Authorizer): this {
    this.pipelines.addAuthorizer(authorizer);
    return this;
  }

  addHealthCheck(name: string, check: HealthCheck): this {
    this.healthChecks.set(name, check);
    return this;
  }

  /** Runs every check in parallel; one that takes longer than `timeoutMs` (900) counts as unhealthy, so the report comes within 1 s. */
  healthCheck(timeoutMs = 900): Promise<HealthReport> {
    return runHealthChecks(this.healthChecks, timeoutMs);
  }

  /** Adds a plugin: checks its name and dependencies, then calls its `setup(app)`. Only before the app starts. */
  addPlugin(plugin: Plugin): this {
    this.lifecycle.addPlugin(plugin);
    return this;
  }

  hasPlugin(name: string): boolean {
    return this.lifecycle.hasPlugin(name);
  }

  /** Adds a channel (calling its `attach(app)`); `start()` opens it. Only before the app starts. */
  addChannel(channel: Channel): this {
    this.lifecycle.addChannel(channel);
    return this;
  }

  /** Starts plugins only: what an in-process caller (tests, the in-process CLI) needs. Idempotent. */
  ready(): Promise<void> {
    return this.lifecycle.ready();
  }

  /** The HTTP paths the attached channels serve (see `Channel.routes`), sorted, without duplicates. */
  routes(): string[] {
    return this.lifecycle.routes();
  }

  /**
   * Checks the plugins' channel-dependent options, starts plugins, then every channel.
   * Resolves with where the channels listen; with `logStartup` it also logs one line each.
   */
  start(): Promise<ChannelAddress[]> {
    return this.lifecycle.start();
  }

  /**
   * Graceful and idempotent, one drain for every channel: the state turns `draining` (readiness
   * 503), every channel keeps accepting for `drainDelayMs`, then every channel stops accepting
   * at once, in-flight calls finish within what is left of `drainTimeoutMs`, and plugins stop
   * last (the audit flushes).
   */
  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  /**
   * Asks every plugin to reopen the files it writes, as after log rotation (SIGHUP). Never stops
   * the app; a plugin that fails to reopen is logged and the others still reopen.
   */
  reopen(): Promise<void> {
    return this.lifecycle.reopen();
  }

  /**
   * The one entry point of every channel: run an operation, list the catalogue, admit a native
   * route, or judge a credential, told apart by `purpose`, all answered as a `NexusResult`.
   * Never throws.
   * @example
   * const result = await app.dispatch({ purpose: 'invoke', channel: 'ndjson', operation: 'echo', input, credential });
   * if (result.ok) write(result.value); else write(result.error.toProblem(result.requestId));
   */
  dispatch<R extends NexusRequest>(request: R): Promise<NexusResult<DispatchValue<R>>>;
  dispatch(request: NexusRequest): Promise<NexusResult<unknown>> {
    return request.purpose === 'submit' ? this.submit(request) : this.requests.dispatch(request);
  }

  /** Runs one operation through the whole pipeline: `dispatch({ purpose: 'invoke', ... })`. Never throws. */
  invoke(init: InvocationInit): Promise<InvocationResult> {
    return this.requests.invoke(init);
  }

  /**
   * Submits one operation as a job: the whole pipeline runs now, the handler later on a worker.
   * The value is `{operationId, status, requestId}`. Never throws. Shorthand of a `submit` dispatch.
   */
  submit(init: InvocationInit): Promise<InvocationResult> {
    return this.jobs.submitInvocation(init);
  }

  /**
   * Asks the authorizers whether the caller holds `permission`, as for an operation requiring it:
   * throws their NexusError to refuse; with no authorizers every caller passes.
   */
  checkPermission(ctx: NexusContext, permission: string): Promise<void> {
    return this.pipelines.checkPermission(ctx, permission);
  }

}
