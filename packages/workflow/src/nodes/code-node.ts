import vm from 'node:vm';
import { nodeBadOutput, nodeTimeout } from '../errors.js';
import { freezeJson } from '../json.js';
import type { NodeType } from '../types.js';
import { asObject, optionalNames } from './config.js';

/**
 * Configuration of a CodeNode. The code is trusted: it comes from the application's own source,
 * never from request data. `node:vm` is not a security boundary.
 */
export interface CodeNodeConfig {
  /** JavaScript run as a script: inputs are globals by name, and it must assign `result`. */
  readonly code: string;
  readonly outputs?: readonly string[];
}

interface Prepared {
  readonly code: string;
  readonly script: vm.Script;
  readonly outputs: readonly string[] | undefined;
}

const INPUTS_GLOBAL = '__nexusInputs';
// Inputs cross as one JSON string and are parsed inside, so the code holds only sandbox-realm
// objects; `__proto__` is skipped so an input name cannot replace the global's prototype.
const SETUP = new vm.Script(
  `for (const [k, v] of Object.entries(JSON.parse(globalThis.${INPUTS_GLOBAL}))) if (k !== '__proto__') globalThis[k] = v;
delete globalThis.${INPUTS_GLOBAL};`,
  { filename: 'nexus-code-node-setup.js' },
);
// Top-level `let`/`const` are not properties of the global object but are visible to later
// scripts in the same context, so a second script reads `result` however it was declared.
const READ_RESULT = new vm.Script(`typeof result === 'undefined' ? globalThis.${INPUTS_GLOBAL} : result`, { filename: 'nexus-code-node-result.js' });
const NO_RESULT = Symbol('no result');

function isScriptTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

export const codeNode: NodeType<Prepared> = {
  name: 'CodeNode',
  description: 'Runs a trusted JavaScript snippet: inputs by name, `result` is the output.',
  defaultTimeoutMs: 1_000,
  prepare(config) {
    const raw = typeof config === 'string' ? { code: config } : asObject(config, 'CodeNode');
    if (typeof raw.code !== 'string' || raw.code.trim() === '') throw new Error('CodeNode needs `code`, a non-empty string');
    let script: vm.Script;
    try {
      script = new vm.Script(raw.code, { filename: 'code-node.js' });
    } catch (error) {
      throw new Error(`CodeNode code does not compile: ${(error as Error).message}`);
    }
    return Object.freeze({ code: raw.code, script, outputs: optionalNames(raw.outputs, 'outputs') });
  },
  ports: (config) => (config.outputs ? { outputs: config.outputs } : {}),
  run(inputs, config, ctx) {
    // The timeout bounds synchronous execution only. `microtaskMode: 'afterEvaluate'` would also
    // bound promise jobs, but a job that times out aborts the whole process (nodejs/node#38503),
    // so code nodes are synchronous by contract and a promise `result` is refused as non-JSON.
    const sandbox = vm.createContext({ [INPUTS_GLOBAL]: JSON.stringify(inputs) }, { codeGeneration: { strings: false, wasm: false } });
    const options = { timeout: Math.max(1, Math.floor(ctx.timeoutMs)), breakOnSigint: false };
    let value: unknown;
    try {
      SETUP.runInContext(sandbox, options);
      config.script.runInContext(sandbox, options);
      sandbox[INPUTS_GLOBAL] = NO_RESULT;
      value = READ_RESULT.runInContext(sandbox, options);
    } catch (error) {
      if (isScriptTimeout(error)) throw nodeTimeout(ctx.nodeId, options.timeout);
      throw error;
    }
    if (value === NO_RESULT) throw new Error('the code did not assign `result`');
    // Checked here, not left to the runtime: returning a sandbox promise would be awaited.
    const problem = freezeJson(value, 'result');
    if (problem !== undefined) throw nodeBadOutput(ctx.nodeId, problem);
    // Copied into this realm so later nodes get ordinary objects.
    return JSON.parse(JSON.stringify(value)) as unknown;
  },
  describe: (config) => ({ code: config.code, ...(config.outputs ? { outputs: config.outputs } : {}) }),
};
