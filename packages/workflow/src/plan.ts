import type { NodeType } from './types.js';

/** One incoming connection, resolved to the source node's index. */
export interface PlanEdge {
  readonly from: number;
  readonly output: string;
  readonly input: string;
}

/** A node as the runtime executes it: everything resolved and checked at build time. */
export interface PlanNode {
  readonly id: string;
  readonly index: number;
  readonly typeName: string;
  readonly type: NodeType<unknown>;
  readonly config: unknown;
  readonly timeoutMs: number;
  readonly incoming: readonly PlanEdge[];
  /** Targets of outgoing connections, one entry per connection. */
  readonly outgoing: readonly { readonly to: number; readonly output: string }[];
  /** Workflow inputs mapped to ports explicitly. */
  readonly mappings: readonly { readonly input: string; readonly port: string }[];
  /** No incoming connections: sees every workflow input by name. */
  readonly root: boolean;
}

export interface Plan {
  readonly nodes: readonly PlanNode[];
}
