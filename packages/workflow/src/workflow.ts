import type { NexusContext, RunnableWorkflow } from '@nexus/core';
import type { Plan } from './plan.js';
import { CONTEXT_INPUTS, runPlan } from './runtime.js';
import type { WorkflowEdge, WorkflowInputMapping, WorkflowJSON } from './types.js';

function describeValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' || typeof value === 'symbol' ? String(value) : value;
  if (depth > 8) return '[…]';
  if (Array.isArray(value)) return value.map((item) => describeValue(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, describeValue(item, depth + 1)]));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** A built, immutable workflow: register it with `app.register(name, workflow)`. */
export class Workflow implements RunnableWorkflow {
  readonly kind = 'workflow' as const;
  readonly #plan: Plan;
  readonly #json: WorkflowJSON;

  /** Built by `WorkflowBuilder.build()`, which has already checked the plan. */
  constructor(plan: Plan, edges: readonly WorkflowEdge[], mappings: readonly WorkflowInputMapping[]) {
    this.#plan = plan;
    this.#json = deepFreeze({
      nodes: plan.nodes.map((node) => ({
        id: node.id,
        type: node.typeName,
        timeoutMs: node.timeoutMs,
        config: node.type.describe ? node.type.describe(node.config) : describeValue(node.config),
      })),
      edges: edges.map((edge) => ({ ...edge })),
      inputMappings: mappings.map((mapping) => ({ ...mapping })),
      contextInputs: Object.keys(CONTEXT_INPUTS),
    });
    Object.freeze(this);
  }

  /** Node ids in the order they were added. */
  get nodeIds(): readonly string[] {
    return this.#plan.nodes.map((node) => node.id);
  }

  /** Runs every node; resolves to node id → outputs (nodes skipped by a switch are absent). */
  run(inputs: Record<string, unknown>, ctx: NexusContext): Promise<Record<string, unknown>> {
    return runPlan(this.#plan, inputs, ctx);
  }

  /** Nodes, edges and input mappings, for `describe` and `GET /workflows/{name}`. */
  toJSON(): WorkflowJSON {
    return this.#json;
  }
}
