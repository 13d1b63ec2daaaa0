/** Options the fast path reads as `--key value` or `--key=value`; `param` may repeat. */
const VALUED = new Set(['token', 'tenant', 'request-id', 'output', 'timeout', 'input', 'idempotency-key', 'param']);
const FLAGS = new Set(['verbose', 'yes', 'async', 'wait']);

/**
 * The command line a script runs most, `run <name>` with plain options, parsed without yargs:
 * loading yargs (its help renderer above all) costs a short-lived process more CPU than Node's
 * own start-up. Returns the arguments as yargs would have parsed them, or undefined for anything
 * else (help, schema-field options, `--no-x`, `--`, a repeated option, a value starting with
 * `-`, an extra word...), which the full parser handles, errors and suggestions included.
 */
export function parseSimpleRun(argv: readonly string[], remote: boolean): Record<string, unknown> | undefined {
  const words: string[] = [];
  const args: Record<string, unknown> = {};
  const params: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') || arg === '') return undefined;
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (FLAGS.has(key)) {
      if (eq >= 0 || key in args) return undefined;
      args[key] = true;
      continue;
    }
    if (!VALUED.has(key) && !(remote && key === 'url')) return undefined;
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (key === 'param') params.push(value);
    else if (key in args) return undefined;
    else args[key] = value;
  }
  if (words.length !== 2 || words[0] !== 'run') return undefined;
  if (args.output !== undefined && args.output !== 'json' && args.output !== 'pretty') return undefined;
  return { ...args, ...(params.length > 0 ? { param: params } : {}), _: words, name: words[1] };
}
