import { InvalidInputError } from './errors.js';
import type { FieldError } from './errors.js';

/** Deepest nesting of objects and arrays an input may have, on every channel. */
export const MAX_INPUT_DEPTH = 64;

/** Longest identifier (principal id, tenant id, operation name) in characters. */
export const MAX_IDENTIFIER_LENGTH = 128;

/**
 * Keys refused at any depth: they name prototype machinery, and parsers disagree about them
 * (JSON.parse keeps `__proto__` as a key, an object spread or a zod record drops it), so one
 * input could otherwise get a different decision on each channel.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// C0 and C1 control characters, DEL included.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Whether a value may name a principal, a tenant or an operation: a well-formed Unicode string
 * (no lone surrogate, which a store may write as U+FFFD and so merge two ids into one key),
 * 1–128 characters, no control characters.
 */
export function isValidIdentifier(value: unknown): value is string {
  return typeof value === 'string'
    && value.length > 0
    && value.length <= MAX_IDENTIFIER_LENGTH
    && value.isWellFormed()
    && !CONTROL.test(value);
}

interface Pending {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
}

const join = (path: string, key: string | number) => (path === '' ? String(key) : `${path}.${key}`);

/**
 * The rules every input meets before its schema sees it, whatever channel parsed it: nesting at
 * most MAX_INPUT_DEPTH, no reserved keys, every string and key well-formed Unicode. Walks with
 * an explicit stack, so a hostile depth is refused instead of overflowing the call stack.
 * Throws INVALID_INPUT naming the first offending path.
 */
export function checkInputRules(input: unknown): void {
  const stack: Pending[] = [{ value: input, path: '', depth: 0 }];
  const refuse = (error: FieldError): never => {
    throw new InvalidInputError('The input does not match the operation schema.', { errors: [error] });
  };
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) refuse({ path, message: 'Strings must be well-formed Unicode (no lone surrogates).' });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_INPUT_DEPTH) refuse({ path, message: `Inputs may nest at most ${MAX_INPUT_DEPTH} levels deep.` });
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) stack.push({ value: value[index], path: join(path, index), depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (RESERVED_KEYS.has(key)) refuse({ path: join(path, key), message: `The key "${key}" is not allowed.` });
      if (!key.isWellFormed()) refuse({ path, message: 'Keys must be well-formed Unicode (no lone surrogates).' });
      stack.push({ value: (value as Record<string, unknown>)[key], path: join(path, key), depth: depth + 1 });
    }
  }
}
