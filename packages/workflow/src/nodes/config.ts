/** Small checks shared by the built-in node types; each throws a reason the builder attaches to the node. */
export function asObject(config: unknown, type: string): Record<string, unknown> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error(`${type} needs a config object`);
  return config as Record<string, unknown>;
}

export function optionalNames(value: unknown, field: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new Error(`${field} must be a list of non-empty names`);
  }
  return Object.freeze([...new Set(value as string[])]);
}

export function optionalPositive(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new Error(`${field} must be a positive number`);
  return value;
}
