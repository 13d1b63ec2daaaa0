import type { z } from 'zod';
import type { HandlerContext, InvocationInit, ListInit, NexusContext, NexusEnv, Principal, ResponseAnnotations } from './context.js';
import type { NexusError } from './errors.js';
import { runHealthChecks } from './health.js';
import type { HealthCheck, HealthReport } from './health.js';
import type { DispatchValue, NexusRequest, NexusResult } from './dispatch.js';
import type { InvocationResult } from './invocation.js';
import { createJsonLogger } from './logger.js';
import type { Logger } from './logger.js';
import { UNKNOWN_OPERATION_LABEL, createMetrics } from './metrics.js';
import { createContext } from './create-context.js';
import { RequestRunner } from './request-runner.js';
import type { NexusMetrics } from './metrics.js';
import { defineHandler, defineWorkflow } from './operation.js';
import type { HandlerFn, HandlerOptions, HandlerOutput, OperationDefinition, OperationDescriptor, RegisterOptions, RunnableWorkflow } from './operation.js';
import type { Authorizer, Phase, Stage } from './pipeline.js';
import { OperationRegistry } from './operation-registry.js';
import { resolveIdempotency } from './idempotency/options.js';
import type { IdempotencyOptions } from './idempotency/options.js';
import { Pipelines } from './pipelines.js';
import type { Channel, ChannelAddress, Plugin } from './plugin.js';
import { NexusSetupError } from './setup-error.js';
import { JobManager } from './jobs/manager.js';
import type { JobsOptions } from './jobs/manager.js';
import { TENANT_HEADER } from './protocol/headers.js';

export interface NexusOptions {
  /** Default port of the first-party API channel (8000). Core only stores it. */
  readonly apiPort?: number;
  /** Default port of the first-party MCP channel (3001). */
  readonly mcpPort?: number;
  /** Default bind address of network channels (127.0.0.1). */
  readonly host?: string;
  /** Serve `/metrics` and collect process metrics. */
  readonly enableMonitoring?: boolean;
  readonly logger?: Logger;
  /** Deadline for operations that set no `timeoutMs` (30 s). */
  readonly defaultTimeoutMs?: number;
  /** How long `stop()` waits for in-flight calls (10 s). */
  readonly drainTimeoutMs?: number;
  /** Idempotency keys: on by default with an in-memory store; `false` ignores every key. */
  readonly idempotency?: IdempotencyOptions | false;
  /**
   * On `stop()`, how long every channel keeps accepting while readiness already answers 503, so
   * load balancers move away before any connection is refused (0). Counts against the grace period.
   */
  readonly drainDelayMs?: number;
  /** Log `<channel> listening on <url>` (level info) for each channel once `start()` has opened it (false). */
  readonly logStartup?: boolean;
}

export type ResolvedNexusOptions = Required<Omit<NexusOptions, 'logger' | 'idempotency' | 'logStartup'>>;
export type NexusState = 'idle' | 'starting' | 'running' | 'draining' | 'stopped';

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
  private readonly plugins: Plugin[] = [];
  private readonly channels: Channel[] = [];
  private readonly healthChecks = new Map<string, HealthCheck>();
  private readonly pipelines: Pipelines;
  private authenticationRequired: boolean | undefined;
  private readonly issuers: string[] = [];
  private requestedTenantHeader: string = TENANT_HEADER;
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private readonly requests: RequestRunner;
  private currentState: NexusState = 'idle';
  private readonly idempotencyOff: boolean;
  private readonly logStartup: boolean;
  private verified = false;
  /** Long-running operations: submission, lookup, cancel, and the worker of this process. */
  readonly jobs: JobManager;

  constructor(options: NexusOptions = {}) {
    this.options = {
      apiPort: options.apiPort ?? 8000,
      mcpPort: options.mcpPort ?? 3001,
      host: options.host ?? '127.0.0.1',
      enableMonitoring: options.enableMonitoring ?? false,
      defaultTimeoutMs: options.defaultTimeoutMs ?? 30_000,
      drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
      drainDelayMs: options.drainDelayMs ?? 0,
    };
    this.logStartup = options.logStartup ?? false;
    this.logger = options.logger ?? createJsonLogger();
    this.metrics = createMetrics({ defaultMetrics: this.options.enableMonitoring });
    this.operations = new OperationRegistry(this.metrics, this.logger);
    this.pipelines = new Pipelines(() => this.operations.values(), this.options.defaultTimeoutMs);
    this.requests = new RequestRunner({
      logger: this.logger,
      metrics: this.metrics,
      pipelines: this.pipelines,
      operations: this.operations,
      startIfIdle: () => (this.startPromise === undefined ? this.ready() : undefined),
      stopped: () => this.currentState === 'stopped',
    });
    this.idempotencyOff = options.idempotency === false;
    if (options.idempotency !== false) this.applyIdempotency(options.idempotency ?? {});
    this.jobs = new JobManager({
      logger: this.logger.child({ component: 'jobs' }),
      metrics: this.metrics,
      operation: (name) => this.operations.get(name),
      hasLongRunning: () => [...this.operations.values()].some((definition) => definition.longRunning),
      addHealthCheck: (name, check) => void this.addHealthCheck(name, check),
      submitPipeline: (terminal, admission) => this.pipelines.submit(terminal, admission),
      routePipeline: (route, admission) => this.pipelines.route(route, admission),
      observed: (terminal) => this.pipelines.observed(terminal),
      checkPermission: (ctx, permission) => this.pipelines.checkPermission(ctx, permission),
      run: (ctx, label, pipeline) => this.requests.run(ctx, label, pipeline),
    });
  }

  /** Where jobs live and whether this process works them; only before the app starts. */
  configureJobs(options: JobsOptions): this {
    this.assertNotStarted('job settings');
    this.jobs.configure(options);
    return this;
  }

  /**
   * Replaces the idempotency settings (a plugin with a shared store calls it in `setup`); only
   * before the app starts. With `idempotency: false` in the app's options it changes nothing.
   */
  configureIdempotency(options: IdempotencyOptions): this {
    this.assertNotStarted('idempotency settings');
    if (!this.idempotencyOff) this.applyIdempotency(options);
    return this;
  }

  private applyIdempotency(options: IdempotencyOptions): void {
    this.pipelines.setIdempotency(resolveIdempotency(options, this.options.defaultTimeoutMs, this.logger.child({ component: 'idempotency' })));
  }

  get state(): NexusState {
    return this.currentState;
  }

  /** Registers a handler operation, served on every channel. */
  handler<S extends z.ZodType, O extends z.ZodType | undefined = undefined, P extends boolean = false>(
    name: string,
    options: HandlerOptions<S, O, P>,
    handler: HandlerFn<z.output<S>, NoInfer<HandlerOutput<O>>, HandlerContext<E, P>>,
  ): this {
    return this.add(defineHandler(name, options, handler));
  }

  /** Registers a built workflow (`builder.build()`) as an operation. */
  register(name: string, workflow: RunnableWorkflow, options?: RegisterOptions): this {
    return this.add(defineWorkflow(name, workflow, options));
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
    this.assertNotStarted('the tenant header');
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

  addPlugin(plugin: Plugin): this {
    if (!plugin || typeof plugin.name !== 'string' || typeof plugin.setup !== 'function') {
      throw new NexusSetupError('NEXUS_ERR_INVALID_PLUGIN', 'a plugin needs a name and a setup(app) function');
    }
    this.assertNotStarted(`plugin "${plugin.name}"`);
    if (this.plugins.some((existing) => existing.name === plugin.name)) {
      throw new NexusSetupError('NEXUS_ERR_DUPLICATE_PLUGIN', `plugin "${plugin.name}" was added twice`);
    }
    for (const dependency of plugin.dependencies ?? []) {
      if (!this.hasPlugin(dependency)) {
        throw new NexusSetupError('NEXUS_ERR_PLUGIN_DEPENDENCY', `plugin "${plugin.name}" needs plugin "${dependency}" to be added first`);
      }
    }
    plugin.setup(this);
    this.plugins.push(plugin);
    return this;
  }

  hasPlugin(name: string): boolean {
    return this.plugins.some((plugin) => plugin.name === name);
  }

  addChannel(channel: Channel): this {
    this.assertNotStarted(`channel "${channel.name}"`);
    if (this.channels.some((existing) => existing.name === channel.name)) {
      throw new NexusSetupError('NEXUS_ERR_DUPLICATE_CHANNEL', `channel "${channel.name}" was added twice`);
    }
    channel.attach?.(this);
    this.channels.push(channel);
    return this;
  }

  /** Starts plugins only: what an in-process caller (tests, the in-process CLI) needs. Idempotent. */
  ready(): Promise<void> {
    this.startPromise ??= (async () => {
      this.currentState = 'starting';
      for (const plugin of this.plugins) await plugin.start?.();
      await this.jobs.start();
      this.currentState = 'running';
    })();
    return this.startPromise;
  }

  /** The HTTP paths the attached channels serve (see `Channel.routes`), sorted, without duplicates. */
  routes(): string[] {
    return [...new Set(this.channels.flatMap((channel) => channel.routes?.() ?? []))].sort();
  }

  /**
   * Checks the plugins' channel-dependent options, starts plugins, then every channel.
   * Resolves with where the channels listen; with `logStartup` it also logs one line each.
   */
  async start(): Promise<ChannelAddress[]> {
    if (!this.verified) for (const plugin of this.plugins) plugin.verify?.(this);
    this.verified = true;
    await this.ready();
    this.jobs.announce();
    const addresses: ChannelAddress[] = [];
    for (const channel of this.channels) {
      const address = await channel.start(this);
      if (address) addresses.push(address);
    }
    if (this.logStartup) for (const { channel, url } of addresses) this.logger.info(`${channel} listening on ${url}`, { channel, url });
    return addresses;
  }

  /**
   * Graceful and idempotent, one drain for every channel: the state turns `draining` (readiness
   * 503), every channel keeps accepting for `drainDelayMs`, then every channel stops accepting
   * at once, in-flight calls finish within what is left of `drainTimeoutMs`, and plugins stop
   * last (the audit flushes).
   */
  stop(): Promise<void> {
    this.stopPromise ??= (async () => {
      this.currentState = 'draining';
      const deadline = performance.now() + this.options.drainTimeoutMs;
      const left = () => Math.max(0, Math.round(deadline - performance.now()));
      const delayMs = Math.min(this.options.drainDelayMs, this.options.drainTimeoutMs);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await Promise.allSettled(this.channels.map((channel) => channel.stop({ graceMs: left() })));
      await this.requests.waitForDrain(left());
      await this.jobs.stop(left());
      for (const plugin of [...this.plugins].reverse()) {
        try {
          await plugin.stop?.();
        } catch (error) {
          this.logger.error('plugin failed to stop', { plugin: plugin.name, error });
        }
      }
      this.currentState = 'stopped';
    })();
    return this.stopPromise;
  }

  /**
   * Asks every plugin to reopen the files it writes, as after log rotation (SIGHUP). Never stops
   * the app; a plugin that fails to reopen is logged and the others still reopen.
   */
  async reopen(): Promise<void> {
    await Promise.all(
      this.plugins.map(async (plugin) => {
        try {
          await plugin.reopen?.();
        } catch (error) {
          this.logger.error('plugin failed to reopen', { plugin: plugin.name, error });
        }
      }),
    );
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
    const definition = this.operations.get(init.operation);
    const ctx = createContext(this.logger, init, init.operation, definition, 'invoke');
    return this.jobs.submitInvocation(ctx, definition ? definition.name : UNKNOWN_OPERATION_LABEL, init.admission);
  }

  /**
   * Asks the registered authorizers whether the context's caller holds `permission`, as if
   * calling an operation that requires it. Throws the authorizer's NexusError to refuse; with
   * no authorizers every caller passes. Lets channels guard native routes without policy of their own.
   */
  checkPermission(ctx: NexusContext, permission: string): Promise<void> {
    return this.pipelines.checkPermission(ctx, permission);
  }

  private add(definition: OperationDefinition): this {
    this.operations.add(definition);
    return this;
  }

  private assertNotStarted(what: string): void {
    if (this.startPromise !== undefined) {
      throw new NexusSetupError('NEXUS_ERR_ALREADY_STARTED', `${what} must be added before the app starts`);
    }
  }

}
