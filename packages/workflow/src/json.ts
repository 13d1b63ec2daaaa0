/** Deep-freezes a JSON value so concurrent nodes cannot change what others read; returns why it is not JSON, if it is not. */
export function freezeJson(value: unknown, path = 'output', ancestors: object[] = []): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${String(value)}`;
    case 'object':
      break;
    default:
      return `${path} is a ${typeof value}`;
  }
  if (value === null) return undefined;
  if (ancestors.includes(value)) return `${path} is a circular reference`;
  const proto = Object.getPrototypeOf(value) as object | null;
  const isArray = Array.isArray(value);
  // Plain objects from any realm (the code node's sandbox has its own Object.prototype).
  if (!isArray && proto !== null && Object.getPrototypeOf(proto) !== null) {
    return `${path} is an instance of ${(value as object).constructor?.name ?? 'a class'}`;
  }
  ancestors.push(value);
  if (isArray) {
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (item === undefined) return `${path}[${index}] is undefined`;
      const problem = freezeJson(item, `${path}[${index}]`, ancestors);
      if (problem !== undefined) return problem;
    }
  } else {
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      // JSON drops undefined properties; that is how an optional field is left out.
      if (item === undefined) continue;
      const problem = freezeJson(item, `${path}.${key}`, ancestors);
      if (problem !== undefined) return problem;
    }
  }
  ancestors.pop();
  Object.freeze(value);
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Assigns an own property even for `__proto__`, so data-derived keys cannot touch a prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
