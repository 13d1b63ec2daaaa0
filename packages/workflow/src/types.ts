import type { ChannelName, Logger, Principal, TenantInfo } from '@nexus/core';

/** What a node produced: named outputs, which connections read by name. */
export type NodeOutputs = Readonly<Record<string, unknown>>;

/** The read-only slice of the invocation a node may see. */
export interface NodeContext {
  readonly nodeId: string;
  readonly requestId: string;
  readonly channel: ChannelName;
  readonly tenant: TenantInfo | undefined;
  readonly principal: Principal | undefined;
  /** Aborts when the workflow fails, times out or is cancelled: stop work and return. */
  readonly signal: AbortSignal;
  /** This node's deadline; synchronous sandboxes (the code node) use it as their own bound. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** The ports a node type declares for a given config; an omitted list means "any name". */
export interface NodePorts {
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
}

/**
 * A kind of node, registered by name. `prepare` runs at `build()` time and throws for a bad
 * config, so mistakes surface at setup rather than on the first call.
 */
export interface NodeType<C = unknown> {
  readonly name: string;
  readonly description?: string;
  /** Validates and normalises the raw config; throw a plain Error with a reason. */
  prepare?(config: unknown): C;
  ports?(config: C): NodePorts;
  /** Routing nodes (switch) may leave outputs unset: connections from them are then not taken. */
  readonly routes?: boolean;
  /** Joining nodes (merge) run when at least one incoming connection delivered a value. */
  readonly joins?: boolean;
  /** Used when neither the node nor the builder sets a timeout. */
  readonly defaultTimeoutMs?: number;
  /** Returns named outputs; anything that is not a plain object becomes `{ result: value }`. */
  run(inputs: Readonly<Record<string, unknown>>, config: C, ctx: NodeContext): unknown;
  /** The JSON-safe view of the config for `toJSON()`; defaults to the config with functions named. */
  describe?(config: C): unknown;
}

/** Per-node options given as the fourth argument of `addNode`. */
export interface NodeOptions {
  /** Deadline for this node alone; the operation keeps its own overall deadline. */
  readonly timeoutMs?: number;
}

export interface WorkflowEdge {
  readonly from: string;
  readonly output: string;
  readonly to: string;
  readonly input: string;
}

export interface WorkflowInputMapping {
  /** The workflow input (or context input such as `tenant_id`) read. */
  readonly input: string;
  readonly to: string;
  readonly port: string;
}

/** The inspectable shape of a built workflow, as `describe` and `GET /workflows/{name}` show it. */
export interface WorkflowJSON {
  readonly nodes: readonly { readonly id: string; readonly type: string; readonly timeoutMs: number; readonly config: unknown }[];
  readonly edges: readonly WorkflowEdge[];
  readonly inputMappings: readonly WorkflowInputMapping[];
  readonly contextInputs: readonly string[];
}
