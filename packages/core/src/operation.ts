import { z } from 'zod';
import type { NexusContext } from './context.js';
import { NexusSetupError } from './setup-error.js';
import { operationMetadata } from './operation-metadata.js';
import type { OperationAnnotations, OperationExample, OperationMetadataOptions } from './operation-metadata.js';
import type { OperationKind } from './protocol/catalogue.js';
import { DEFAULT_POLICY, resolvePolicy } from './policy.js';
import type { Policy, PolicyOptions } from './policy.js';

export { catalogueEntry } from './protocol/catalogue.js';
export type { CatalogueEntry, OperationKind } from './protocol/catalogue.js';

/** Extra checks on one operation (e.g. `requireRole('admin')`); throw a NexusError to refuse. */
export type Guard = (ctx: NexusContext) => void | Promise<void>;

/** A handler: the parsed input and the context in, the result out. */
export type HandlerFn<I = unknown, O = unknown, C extends NexusContext = NexusContext> = (input: I, ctx: C) => O | Promise<O>;

/** What a handler must return: what its `output` schema accepts, or anything without one. */
export type HandlerOutput<O extends z.ZodType | undefined> = O extends z.ZodType ? z.input<O> : unknown;

export interface HandlerOptions<S extends z.ZodType = z.ZodType, O extends z.ZodType | undefined = z.ZodType | undefined, P extends boolean = boolean>
  extends OperationMetadataOptions, Omit<PolicyOptions, 'public'> {
  readonly description: string;
  readonly input: S;
  /** Checked after the handler on every channel (a mismatch is INTERNAL) and published in every catalogue; types the handler's return. */
  readonly output?: O;
  /** Defaults to `execute:<name>`. */
  readonly permission?: string;
  /** Exempts the operation from authentication on every channel. */
  readonly public?: P;
  readonly guards?: readonly Guard[];
  /** Per-call deadline; the handler's `ctx.signal` aborts when it passes. */
  readonly timeoutMs?: number;
}

/**
 * What `app.register()` accepts: a built workflow. `@nexus/workflow` produces these;
 * core only needs to run one and describe it.
 */
export interface RunnableWorkflow {
  readonly kind: 'workflow';
  run(inputs: Record<string, unknown>, ctx: NexusContext): Promise<Record<string, unknown>>;
  toJSON(): unknown;
}

export interface RegisterOptions extends OperationMetadataOptions, PolicyOptions {
  readonly description?: string;
  /** Defaults to an open object: any named inputs. */
  readonly input?: z.ZodType;
  readonly output?: z.ZodType;
  readonly permission?: string;
  readonly guards?: readonly Guard[];
  readonly timeoutMs?: number;
}


/** A registered operation as the pipeline and channels see it. */
export interface OperationDefinition {
  readonly name: string;
  readonly kind: OperationKind;
  readonly description: string;
  readonly permission: string;
  readonly public: boolean;
  readonly guards: readonly Guard[];
  readonly timeoutMs: number | undefined;
  readonly tags: readonly string[];
  readonly annotations: OperationAnnotations;
  readonly input: z.ZodType;
  readonly output: z.ZodType | undefined;
  /** JSON Schema (draft 2020-12) of the input, for OpenAPI, CLI options and MCP `inputSchema`. */
  readonly inputSchema: Readonly<Record<string, unknown>>;
  /** JSON Schema of what the handler returns (after `output` parsing), when `output` is given. */
  readonly outputSchema: Readonly<Record<string, unknown>> | undefined;
  readonly deprecated: boolean;
  /** Runs as a job on every channel (see `longRunning` in the options). */
  readonly longRunning: boolean;
  readonly examples: readonly OperationExample[];
  /** What the policy stages read (as `ctx.policy`): `public` and `tags` above, its limit group, audit mode and tenant rule. */
  readonly policy: Policy;
  readonly workflow: RunnableWorkflow | undefined;
  readonly execute: HandlerFn;
}

/** The public description of an operation, as catalogues show it. */
export interface OperationDescriptor {
  readonly name: string;
  readonly kind: OperationKind;
  readonly description: string;
  readonly permission: string;
  readonly public: boolean;
  readonly tags: readonly string[];
  readonly inputSchema: Readonly<Record<string, unknown>>;
  readonly outputSchema?: Readonly<Record<string, unknown>>;
  readonly annotations?: OperationAnnotations;
  readonly deprecated?: true;
  readonly longRunning?: true;
  readonly examples?: readonly OperationExample[];
  readonly workflow?: unknown;
}

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

export function assertOperationName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new NexusSetupError(
      'NEXUS_ERR_INVALID_NAME',
      `operation name ${JSON.stringify(name)} must match ${NAME_PATTERN.source}`,
    );
  }
}

function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && typeof (value as z.ZodType).safeParseAsync === 'function'
    && '_zod' in value;
}

function toJsonSchema(name: string, schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  try {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    delete json.$schema;
    return json;
  } catch (cause) {
    throw new NexusSetupError('NEXUS_ERR_INVALID_SCHEMA', `the ${io} schema of "${name}" cannot be expressed as JSON Schema`, { cause });
  }
}

/** Objects, or a union of objects: every channel passes inputs as named fields (JSON body, --param, MCP arguments). */
function describesObjects(schema: Record<string, unknown>): boolean {
  if (schema.type === 'object') return true;
  const members = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (Array.isArray(members) && members.length > 0) return members.every(describesObjects);
  const parts = schema.allOf as Record<string, unknown>[] | undefined;
  return Array.isArray(parts) && parts.some(describesObjects);
}


function common(name: string, options: RegisterOptions | HandlerOptions, input: unknown) {
  if (!isZodSchema(input)) {
    throw new NexusSetupError('NEXUS_ERR_INVALID_SCHEMA', `the input of "${name}" must be a zod schema`);
  }
  if (options.output !== undefined && !isZodSchema(options.output)) {
    throw new NexusSetupError('NEXUS_ERR_INVALID_SCHEMA', `the output of "${name}" must be a zod schema`);
  }
  if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `timeoutMs of "${name}" must be a positive number`);
  }
  for (const guard of options.guards ?? []) {
    if (typeof guard !== 'function') throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `every guard of "${name}" must be a function`);
  }
  const inputSchema = toJsonSchema(name, input);
  if (!describesObjects(inputSchema)) {
    throw new NexusSetupError('NEXUS_ERR_INVALID_SCHEMA', `the input of "${name}" must describe an object of named fields (z.object({...}) or a union of objects)`);
  }
  const policy = resolvePolicy(`"${name}"`, options);
  return {
    name,
    public: policy.public,
    permission: options.permission ?? `execute:${name}`,
    guards: Object.freeze([...(options.guards ?? [])]),
    timeoutMs: options.timeoutMs,
    tags: policy.tags,
    policy,
    input,
    output: options.output as z.ZodType | undefined,
    inputSchema: Object.freeze(inputSchema),
    outputSchema: options.output === undefined ? undefined : Object.freeze(toJsonSchema(name, options.output, 'output')),
    ...operationMetadata(name, options),
  };
}

// `never` input and context: any typed handler fits; the pipeline gives it its parsed input and context.
export function defineHandler(name: string, options: HandlerOptions, handler: HandlerFn<never, unknown, never>): OperationDefinition {
  assertOperationName(name);
  if (typeof options !== 'object' || options === null) {
    throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `handler "${name}" needs an options object with description and input`);
  }
  if (typeof handler !== 'function') {
    throw new NexusSetupError('NEXUS_ERR_MISSING_HANDLER', `handler "${name}" has no handler function`);
  }
  if (typeof options.description !== 'string') {
    throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `handler "${name}" needs a description`);
  }
  return Object.freeze({
    ...common(name, options, options.input),
    kind: 'handler' as const,
    description: options.description,
    workflow: undefined,
    execute: handler as HandlerFn,
  });
}

export function defineWorkflow(name: string, workflow: RunnableWorkflow, options: RegisterOptions = {}): OperationDefinition {
  assertOperationName(name);
  if (typeof workflow !== 'object' || workflow === null || workflow.kind !== 'workflow' || typeof workflow.run !== 'function') {
    throw new NexusSetupError('NEXUS_ERR_MISSING_HANDLER', `"${name}" must be a built workflow (call builder.build())`);
  }
  const input = options.input ?? z.looseObject({});
  return Object.freeze({
    ...common(name, options, input),
    kind: 'workflow' as const,
    description: options.description ?? `Workflow ${name}`,
    workflow,
    // The input was parsed by `input`, an object schema, before this runs.
    execute: ((inputs: Record<string, unknown>, ctx: NexusContext) => workflow.run(inputs, ctx)) as HandlerFn,
  });
}

export function describeOperation(definition: OperationDefinition): OperationDescriptor {
  return {
    name: definition.name,
    kind: definition.kind,
    description: definition.description,
    permission: definition.permission,
    public: definition.public,
    tags: definition.tags,
    inputSchema: definition.inputSchema,
    ...(definition.outputSchema === undefined ? {} : { outputSchema: definition.outputSchema }),
    ...(Object.keys(definition.annotations).length === 0 ? {} : { annotations: definition.annotations }),
    ...(definition.deprecated ? { deprecated: true as const } : {}),
    ...(definition.longRunning ? { longRunning: true as const } : {}),
    ...(definition.examples.length === 0 ? {} : { examples: definition.examples }),
    ...(definition.workflow ? { workflow: definition.workflow.toJSON() } : {}),
  };
}

const EMPTY_INPUT = z.object({});

// A registry-wide brand (not a WeakSet), so a probe is recognised across duplicate copies of core.
const PERMISSION_PROBE = Symbol.for('nexus.permission-probe');

/**
 * Whether an authorizer is asked about a permission on its own (`app.checkPermission`), not about
 * calling an operation: such a question must be answered by a grant the caller holds, never by
 * "any authenticated caller may", since it decides access beyond one operation (a tenant's jobs).
 */
export function isPermissionProbe(operation: OperationDefinition): boolean {
  return (operation as { readonly [PERMISSION_PROBE]?: true })[PERMISSION_PROBE] === true;
}

/** A stand-in operation that requires only `permission`, for asking authorizers about native routes. */
export function permissionProbe(permission: string): OperationDefinition {
  const probe: OperationDefinition & { readonly [PERMISSION_PROBE]: true } = {
    [PERMISSION_PROBE]: true,
    name: '$route',
    kind: 'handler',
    description: '',
    permission,
    public: false,
    guards: [],
    timeoutMs: undefined,
    tags: [],
    annotations: {},
    input: EMPTY_INPUT,
    output: undefined,
    inputSchema: { type: 'object' },
    outputSchema: undefined,
    deprecated: false,
    longRunning: false,
    examples: [],
    policy: DEFAULT_POLICY,
    workflow: undefined,
    execute: () => undefined,
  };
  return probe;
}

