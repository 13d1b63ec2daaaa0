import type { NodeType } from '../types.js';
import { asObject } from './config.js';

/** One route of a SwitchNode: taken when `equals` matches the value, or `when` returns true. */
export interface SwitchCase {
  readonly output: string;
  readonly equals?: unknown;
  readonly when?: (value: unknown, inputs: Readonly<Record<string, unknown>>) => boolean;
}

/**
 * Routes one input value to the first matching case's output. Connections from the other
 * outputs are not taken, so the nodes behind them are skipped (a MergeNode joins branches again).
 */
export interface SwitchNodeConfig {
  /** The input port holding the value to route (`value`). */
  readonly field?: string;
  readonly cases: readonly SwitchCase[];
  /** The output used when no case matches; without it nothing downstream runs. */
  readonly default?: string;
}

interface Prepared {
  readonly field: string;
  readonly cases: readonly SwitchCase[];
  readonly fallback: string | undefined;
}

export const switchNode: NodeType<Prepared> = {
  name: 'SwitchNode',
  description: 'Routes a value to one of several outputs by condition.',
  routes: true,
  prepare(config) {
    const raw = asObject(config, 'SwitchNode');
    const field = raw.field ?? 'value';
    if (typeof field !== 'string' || field === '') throw new Error('SwitchNode `field` must be a non-empty string');
    if (!Array.isArray(raw.cases) || raw.cases.length === 0) throw new Error('SwitchNode needs `cases`, a non-empty list');
    const cases = raw.cases.map((entry: unknown, index: number) => {
      const item = asObject(entry, `SwitchNode case ${index}`);
      if (typeof item.output !== 'string' || item.output === '') throw new Error(`SwitchNode case ${index} needs an \`output\` name`);
      const hasWhen = item.when !== undefined;
      if (hasWhen && typeof item.when !== 'function') throw new Error(`SwitchNode case ${index}: \`when\` must be a function`);
      if (hasWhen === ('equals' in item)) throw new Error(`SwitchNode case ${index} needs exactly one of \`equals\` or \`when\``);
      return Object.freeze({ ...item }) as unknown as SwitchCase;
    });
    if (raw.default !== undefined && (typeof raw.default !== 'string' || raw.default === '')) throw new Error('SwitchNode `default` must be an output name');
    return Object.freeze({ field, cases: Object.freeze(cases), fallback: raw.default as string | undefined });
  },
  ports: (config) => ({ outputs: [...new Set([...config.cases.map((entry) => entry.output), ...(config.fallback ? [config.fallback] : [])])] }),
  run(inputs, config) {
    const value = inputs[config.field] ?? null;
    const match = config.cases.find((entry) => (entry.when ? entry.when(value, inputs) === true : Object.is(entry.equals, value)));
    const output = match?.output ?? config.fallback;
    return output === undefined ? {} : { [output]: value };
  },
  describe: (config) => ({
    field: config.field,
    cases: config.cases.map((entry) => (entry.when ? { output: entry.output, when: entry.when.name || 'function' } : { output: entry.output, equals: entry.equals })),
    ...(config.fallback ? { default: config.fallback } : {}),
  }),
};
