export { WorkflowBuilder } from './builder.js';
export type { WorkflowBuilderOptions } from './builder.js';
export { Workflow } from './workflow.js';
export { NodeRegistry, BUILTIN_NODE_TYPES, createNodeRegistry } from './registry.js';
export { CONTEXT_INPUTS } from './runtime.js';
export type { WorkflowSetupErrorCode } from './errors.js';
export { fnNode } from './nodes/function-node.js';
export type { FunctionNodeConfig } from './nodes/function-node.js';
export type { CodeNodeConfig } from './nodes/code-node.js';
export type { HttpRequestNodeConfig } from './nodes/http-request-node.js';
export type { SwitchCase, SwitchNodeConfig } from './nodes/switch-node.js';
export type { MergeNodeConfig } from './nodes/merge-node.js';
export type {
  NodeContext,
  NodeOptions,
  NodeOutputs,
  NodePorts,
  NodeType,
  WorkflowEdge,
  WorkflowInputMapping,
  WorkflowJSON,
} from './types.js';
