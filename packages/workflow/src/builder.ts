import { setupError } from './errors.js';
import { assertAcyclic } from './graph.js';
import type { PlanEdge, PlanNode } from './plan.js';
import { createNodeRegistry } from './registry.js';
import type { NodeRegistry } from './registry.js';
import type { NodeOptions, NodePorts, WorkflowEdge, WorkflowInputMapping } from './types.js';
import { Workflow } from './workflow.js';

/** Options of a WorkflowBuilder. */
export interface WorkflowBuilderOptions {
  /** Node types available to `addNode` (the built-ins by default). */
  readonly registry?: NodeRegistry;
  /** Timeout of nodes whose type sets none and that set none themselves (30 s). */
  readonly nodeTimeoutMs?: number;
}

const NODE_ID = /^[A-Za-z0-9_.-]{1,128}$/;
const DEFAULT_NODE_TIMEOUT_MS = 30_000;

function positive(value: number | undefined, what: string): number | undefined {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw setupError('NEXUS_ERR_WORKFLOW_INVALID_OPTIONS', `${what} must be a positive number`);
  }
  return value;
}

function checkPort(ports: NodePorts, direction: 'inputs' | 'outputs', nodeId: string, port: string, via: string): void {
  const declared = ports[direction];
  if (declared !== undefined && !declared.includes(port)) {
    const kind = direction === 'inputs' ? 'input' : 'output';
    throw setupError('NEXUS_ERR_WORKFLOW_UNKNOWN_PORT', `node "${nodeId}" has no ${kind} "${port}" (${via}); it has: ${declared.join(', ') || 'none'}`);
  }
}

/**
 * Collects nodes and connections, then `build()` checks the graph and returns an immutable workflow.
 * @example
 * const workflow = new WorkflowBuilder()
 *   .addNode('CodeNode', 'greet', { code: "result = { greeting: 'hi ' + (typeof name === 'undefined' ? 'there' : name) }" })
 *   .build();
 * app.register('greet', workflow);
 */
export class WorkflowBuilder {
  private readonly registry: NodeRegistry;
  private readonly nodeTimeoutMs: number;
  private readonly nodes: { type: string; id: string; config: unknown; options: NodeOptions }[] = [];
  private readonly edges: WorkflowEdge[] = [];
  private readonly mappings: WorkflowInputMapping[] = [];

  constructor(options: WorkflowBuilderOptions = {}) {
    this.registry = options.registry ?? createNodeRegistry();
    this.nodeTimeoutMs = positive(options.nodeTimeoutMs, 'nodeTimeoutMs') ?? DEFAULT_NODE_TIMEOUT_MS;
  }

  /** Adds a node of a registered type; checked by `build()`. */
  addNode(type: string, id: string, config?: unknown, options: NodeOptions = {}): this {
    this.nodes.push({ type, id, config, options });
    return this;
  }

  /** Feeds output `output` of node `from` into input `input` of node `to`. */
  addConnection(from: string, output: string, to: string, input: string): this {
    this.edges.push(Object.freeze({ from, output, to, input }));
    return this;
  }

  /** Feeds workflow input `input` into port `port` of node `to` (root nodes also see every input by name). */
  addInputMapping(input: string, to: string, port: string): this {
    this.mappings.push(Object.freeze({ input, to, port }));
    return this;
  }

  /** Validates everything and returns the immutable, runnable workflow. */
  build(): Workflow {
    if (this.nodes.length === 0) throw setupError('NEXUS_ERR_WORKFLOW_EMPTY', 'a workflow needs at least one node');
    const indexOf = new Map<string, number>();
    const prepared = this.nodes.map((node, index) => {
      const { type: typeName, id } = node;
      if (typeof id !== 'string' || !NODE_ID.test(id) || id === '__proto__') {
        throw setupError('NEXUS_ERR_WORKFLOW_INVALID_NODE_ID', `node id ${JSON.stringify(id)} must match ${NODE_ID.source}`);
      }
      if (indexOf.has(id)) throw setupError('NEXUS_ERR_WORKFLOW_DUPLICATE_NODE', `node "${id}" is added twice`);
      indexOf.set(id, index);
      const type = this.registry.get(typeName);
      if (!type) {
        throw setupError('NEXUS_ERR_WORKFLOW_UNKNOWN_NODE_TYPE', `node "${id}" has unknown type "${typeName}"; known types: ${this.registry.names().join(', ')}`);
      }
      let config: unknown;
      try {
        config = type.prepare ? type.prepare(node.config) : node.config;
      } catch (error) {
        throw setupError('NEXUS_ERR_WORKFLOW_INVALID_NODE_CONFIG', `node "${id}" (${typeName}): ${(error as Error).message}`, error);
      }
      const timeoutMs = positive(node.options.timeoutMs, `timeoutMs of node "${id}"`) ?? type.defaultTimeoutMs ?? this.nodeTimeoutMs;
      return { id, typeName, type, config, timeoutMs, ports: type.ports?.(config) ?? {} };
    });

    const find = (id: string, via: string): number => {
      const index = indexOf.get(id);
      if (index === undefined) throw setupError('NEXUS_ERR_WORKFLOW_MISSING_NODE', `${via} refers to node "${id}", which does not exist`);
      return index;
    };
    const incoming = prepared.map(() => [] as PlanEdge[]);
    const outgoing = prepared.map(() => [] as { to: number; output: string }[]);
    const mapped = prepared.map(() => [] as { input: string; port: string }[]);
    const fedPorts = prepared.map(() => new Set<string>());
    const feed = (to: number, port: string, via: string) => {
      if (fedPorts[to]!.has(port)) throw setupError('NEXUS_ERR_WORKFLOW_DUPLICATE_INPUT', `input "${port}" of node "${prepared[to]!.id}" is fed twice (${via})`);
      fedPorts[to]!.add(port);
    };
    for (const edge of this.edges) {
      const via = `connection ${edge.from}.${edge.output} -> ${edge.to}.${edge.input}`;
      const from = find(edge.from, via);
      const to = find(edge.to, via);
      checkPort(prepared[from]!.ports, 'outputs', edge.from, edge.output, via);
      checkPort(prepared[to]!.ports, 'inputs', edge.to, edge.input, via);
      feed(to, edge.input, via);
      incoming[to]!.push(Object.freeze({ from, output: edge.output, input: edge.input }));
      outgoing[from]!.push(Object.freeze({ to, output: edge.output }));
    }
    for (const mapping of this.mappings) {
      const via = `input mapping ${mapping.input} -> ${mapping.to}.${mapping.port}`;
      const to = find(mapping.to, via);
      checkPort(prepared[to]!.ports, 'inputs', mapping.to, mapping.port, via);
      feed(to, mapping.port, via);
      mapped[to]!.push(Object.freeze({ input: mapping.input, port: mapping.port }));
    }
    assertAcyclic(prepared.map((node) => node.id), this.edges.map((edge) => ({ from: indexOf.get(edge.from)!, to: indexOf.get(edge.to)! })));

    const nodes: PlanNode[] = prepared.map((node, index) => Object.freeze({
      id: node.id,
      index,
      typeName: node.typeName,
      type: node.type,
      config: node.config,
      timeoutMs: node.timeoutMs,
      incoming: Object.freeze(incoming[index]!),
      outgoing: Object.freeze(outgoing[index]!),
      mappings: Object.freeze(mapped[index]!),
      root: incoming[index]!.length === 0,
    }));
    return new Workflow(Object.freeze({ nodes: Object.freeze(nodes) }), Object.freeze([...this.edges]), Object.freeze([...this.mappings]));
  }
}
