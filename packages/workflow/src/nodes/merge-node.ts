import type { NodeType } from '../types.js';
import { isPlainObject, setOwn } from '../json.js';
import { asObject } from './config.js';

/**
 * Joins branches: it runs once every incoming connection is settled and at least one delivered
 * a value. `first`: the first delivered input in connection order; `object`: delivered inputs by
 * port; `merge`: delivered object inputs merged shallowly in connection order.
 */
export interface MergeNodeConfig {
  readonly mode?: 'first' | 'object' | 'merge';
}

const MODES = new Set(['first', 'object', 'merge']);

export const mergeNode: NodeType<{ readonly mode: 'first' | 'object' | 'merge' }> = {
  name: 'MergeNode',
  description: 'Joins branches into one `value` output.',
  joins: true,
  prepare(config) {
    const raw = config === undefined ? {} : asObject(config, 'MergeNode');
    const mode = raw.mode ?? 'first';
    if (typeof mode !== 'string' || !MODES.has(mode)) throw new Error('MergeNode `mode` must be first, object or merge');
    return Object.freeze({ mode: mode as 'first' | 'object' | 'merge' });
  },
  ports: () => ({ outputs: ['value'] }),
  run(inputs, config) {
    if (config.mode === 'object') return { value: { ...inputs } };
    const values = Object.values(inputs);
    if (config.mode === 'first') return { value: values[0] ?? null };
    const merged: Record<string, unknown> = {};
    for (const value of values) {
      if (!isPlainObject(value)) throw new Error('MergeNode in merge mode needs object inputs');
      for (const [key, item] of Object.entries(value)) setOwn(merged, key, item);
    }
    return { value: merged };
  },
  describe: (config) => ({ mode: config.mode }),
};
