import type { NodeContext, NodeType } from '../types.js';
import { asObject, optionalNames } from './config.js';

/** A typed TypeScript function as a node. Objects it returns are its outputs; anything else is `{ result }`. */
export interface FunctionNodeConfig<I extends Record<string, unknown> = Record<string, any>, O = unknown> {
  readonly fn: (inputs: I, ctx: NodeContext) => O | Promise<O>;
  /** Declared input ports; when given, connections to other names are setup errors. */
  readonly inputs?: readonly string[];
  /** Declared output ports; when given, connections from other names are setup errors. */
  readonly outputs?: readonly string[];
}

interface Prepared {
  readonly fn: (inputs: Record<string, unknown>, ctx: NodeContext) => unknown;
  readonly inputs: readonly string[] | undefined;
  readonly outputs: readonly string[] | undefined;
}

/** Helps TypeScript infer a function node's input and output types at the call site. */
export function fnNode<I extends Record<string, unknown>, O>(config: FunctionNodeConfig<I, O>): FunctionNodeConfig<I, O> {
  return config;
}

export const functionNode: NodeType<Prepared> = {
  name: 'FunctionNode',
  description: 'Runs a TypeScript function with the node inputs.',
  prepare(config) {
    const raw = typeof config === 'function' ? { fn: config } : asObject(config, 'FunctionNode');
    if (typeof raw.fn !== 'function') throw new Error('FunctionNode needs `fn`, a function');
    return Object.freeze({
      fn: raw.fn as Prepared['fn'],
      inputs: optionalNames(raw.inputs, 'inputs'),
      outputs: optionalNames(raw.outputs, 'outputs'),
    });
  },
  ports: (config) => ({ ...(config.inputs ? { inputs: config.inputs } : {}), ...(config.outputs ? { outputs: config.outputs } : {}) }),
  run: (inputs, config, ctx) => config.fn(inputs, ctx),
  describe: (config) => ({
    fn: config.fn.name || 'anonymous',
    ...(config.inputs ? { inputs: config.inputs } : {}),
    ...(config.outputs ? { outputs: config.outputs } : {}),
  }),
};
