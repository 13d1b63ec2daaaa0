import { setupError } from './errors.js';
import type { NodeType } from './types.js';
import { codeNode } from './nodes/code-node.js';
import { functionNode } from './nodes/function-node.js';
import { httpRequestNode } from './nodes/http-request-node.js';
import { mergeNode } from './nodes/merge-node.js';
import { switchNode } from './nodes/switch-node.js';

const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;

/** The node types a builder may use, by name. Custom types are registered here. */
export class NodeRegistry {
  private readonly types = new Map<string, NodeType<any>>();

  /** Adds a node type; a second type under the same name is a setup error. */
  register<C>(type: NodeType<C>): this {
    if (typeof type !== 'object' || type === null || typeof type.run !== 'function' || typeof type.name !== 'string' || !TYPE_NAME.test(type.name)) {
      throw setupError('NEXUS_ERR_WORKFLOW_INVALID_NODE_TYPE', `a node type needs a name matching ${TYPE_NAME.source} and a run() function`);
    }
    if (this.types.has(type.name)) {
      throw setupError('NEXUS_ERR_WORKFLOW_DUPLICATE_NODE_TYPE', `node type "${type.name}" is already registered`);
    }
    this.types.set(type.name, type);
    return this;
  }

  get(name: string): NodeType<any> | undefined {
    return this.types.get(name);
  }

  has(name: string): boolean {
    return this.types.has(name);
  }

  names(): string[] {
    return [...this.types.keys()];
  }
}

/** The built-in node types: FunctionNode, CodeNode, HTTPRequestNode, SwitchNode, MergeNode. */
export const BUILTIN_NODE_TYPES: readonly NodeType<any>[] = Object.freeze([functionNode, codeNode, httpRequestNode, switchNode, mergeNode]);

/** A registry holding the built-in node types, ready for custom ones. */
export function createNodeRegistry(): NodeRegistry {
  const registry = new NodeRegistry();
  for (const type of BUILTIN_NODE_TYPES) registry.register(type);
  return registry;
}
