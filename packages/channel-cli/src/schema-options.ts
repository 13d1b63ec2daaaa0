import { decodeValue } from './input.js';

/** One top-level field of an operation's input schema, offered as `--<field>`. */
export interface SchemaOption {
  readonly key: string;
  /** How the raw text becomes a value: kept as text, a flag, or JSON-decoded. */
  readonly kind: 'string' | 'boolean' | 'json';
  readonly describe: string;
}

const OPTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

function typeLabel(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (typeof schema.type === 'string') {
    if (schema.type === 'array' && schema.items && typeof schema.items === 'object') {
      return `${typeLabel(schema.items as Record<string, unknown>)}[]`;
    }
    return schema.type;
  }
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  const union = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (Array.isArray(union)) return union.map(typeLabel).join(' | ');
  return 'json';
}

/**
 * Options for the top-level fields of a JSON Schema. Fields whose names the CLI already uses
 * (or that are not valid option names) are left out; `--param` still reaches them.
 */
export function schemaOptions(schema: Readonly<Record<string, unknown>>, reserved: ReadonlySet<string>): SchemaOption[] {
  const properties = schema.properties;
  if (!properties || typeof properties !== 'object') return [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const options: SchemaOption[] = [];
  for (const [key, raw] of Object.entries(properties as Record<string, Record<string, unknown>>)) {
    if (!OPTION_NAME.test(key) || reserved.has(key)) continue;
    const property = raw && typeof raw === 'object' ? raw : {};
    const type = typeLabel(property);
    const kind = property.type === 'string' && !Array.isArray(property.enum) ? 'string' : property.type === 'boolean' ? 'boolean' : 'json';
    const description = typeof property.description === 'string' ? `${property.description} ` : '';
    const notes = [type, required.has(key) ? 'required' : undefined, 'default' in property ? `default ${JSON.stringify(property.default)}` : undefined];
    options.push({ key, kind: kind === 'string' && type !== 'string' ? 'json' : kind, describe: `${description}[${notes.filter(Boolean).join(', ')}]` });
  }
  return options;
}

/** Reads the given schema options from parsed arguments into input fields. */
export function schemaValues(args: Record<string, unknown>, options: readonly SchemaOption[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const option of options) {
    const raw = args[option.key];
    if (raw === undefined) continue;
    const decode = (value: unknown): unknown => {
      if (option.kind === 'boolean' || typeof value !== 'string') return value;
      return option.kind === 'string' ? value : decodeValue(value);
    };
    values[option.key] = Array.isArray(raw) ? (raw.length === 1 ? decode(raw[0]) : raw.map(decode)) : decode(raw);
  }
  return values;
}
