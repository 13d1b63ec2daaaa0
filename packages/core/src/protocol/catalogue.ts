/**
 * What catalogues show of an operation, the same on every channel and for every client: the
 * types the wire carries, and `catalogueEntry()`, which picks them from a fuller description.
 */

/** A handler registered with `app.handler()` or a workflow registered with `app.register()`. */
export type OperationKind = 'handler' | 'workflow';

/**
 * Hints about an operation's behaviour, for catalogues (MCP tool annotations, OpenAPI, the CLI's
 * confirmation prompt). Only `readOnly` changes what Nexus does: such operations ignore idempotency keys.
 */
export interface OperationAnnotations {
  /** A human-readable name (MCP `title`). */
  readonly title?: string;
  /** Changes nothing: a retry is harmless, so no outcome is stored for it. */
  readonly readOnly?: boolean;
  /** May destroy or overwrite data; the CLI asks before running it on a terminal. */
  readonly destructive?: boolean;
  /** Calling it again with the same input has no further effect. */
  readonly idempotent?: boolean;
  /** Reaches systems outside the app (the web, third-party APIs). */
  readonly openWorld?: boolean;
}

/** A sample call, shown in catalogues next to the schemas. */
export interface OperationExample {
  readonly summary?: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly output?: unknown;
}

/** What catalogues show of an operation: the same fields on every channel. */
export interface CatalogueEntry {
  readonly name: string;
  readonly kind: OperationKind;
  readonly description: string;
  readonly permission: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
  readonly outputSchema?: Readonly<Record<string, unknown>>;
  readonly annotations?: OperationAnnotations;
  readonly deprecated?: true;
  /** Always runs as a job: HTTP answers 202 with an operation id, the CLI waits, MCP offers a task. */
  readonly longRunning?: true;
  /** Sample calls; only single-entry answers carry them, like the graph. */
  readonly examples?: readonly OperationExample[];
  /** A workflow's graph; only single-entry answers carry it, lists stay lean. */
  readonly workflow?: unknown;
}

/**
 * The catalogue fields of an operation (a core `OperationDescriptor` or an entry read from the
 * wire); `withGraph` keeps the examples and a workflow's graph, which only single-entry answers carry.
 */
export function catalogueEntry(operation: CatalogueEntry, options: { readonly withGraph?: boolean } = {}): CatalogueEntry {
  return {
    name: operation.name,
    kind: operation.kind,
    description: operation.description,
    permission: operation.permission,
    inputSchema: operation.inputSchema,
    ...(operation.outputSchema === undefined ? {} : { outputSchema: operation.outputSchema }),
    ...(operation.annotations === undefined ? {} : { annotations: operation.annotations }),
    ...(operation.deprecated === true ? { deprecated: true as const } : {}),
    ...(operation.longRunning === true ? { longRunning: true as const } : {}),
    ...(options.withGraph === true && operation.examples !== undefined ? { examples: operation.examples } : {}),
    ...(options.withGraph === true && operation.workflow !== undefined ? { workflow: operation.workflow } : {}),
  };
}
