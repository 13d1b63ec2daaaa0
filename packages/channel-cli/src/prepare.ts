import type { Backend, Failure, OperationSummary } from './backend.js';
import { InputError, decodeValue } from './input.js';

/** What the command line needs from the server before it is parsed for real. */
export type Prepared =
  | {
      /** The operation being run, when it had to be described (help, field options, typed --param). */
      readonly descriptor: OperationSummary | undefined;
      /** The operations for `--help`'s epilog. */
      readonly operations: OperationSummary[] | undefined;
      /** Help could not ask the server (timeout, unreachable): help still prints, then this is reported. */
      readonly helpFailure: Failure | undefined;
    }
  | { readonly exit: 'usage'; readonly error: InputError }
  | { readonly exit: 'failure'; readonly failure: Failure };

export interface CommandLine {
  readonly running: string | undefined;
  readonly wantsHelp: boolean;
  /** Options the generic parser does not know: fields of the operation's schema. */
  readonly unknownKeys: readonly string[];
  readonly positional: readonly string[];
  /** A person at a terminal may have to confirm a destructive operation: its annotations are needed. */
  readonly mayConfirm: boolean;
}

const TRANSPORT = new Set(['TIMEOUT', 'UNAVAILABLE']);

/** A `--param` value that JSON would turn into something other than text: the schema decides. */
function ambiguous(params: unknown): boolean {
  const values = Array.isArray(params) ? params : params === undefined ? [] : [params];
  return values.some((param) => {
    const text = String(param);
    const eq = text.indexOf('=');
    return eq >= 0 && typeof decodeValue(text.slice(eq + 1)) !== 'string';
  });
}

/**
 * Describes the operation (or lists operations for help). A describe that answers NOT_FOUND is
 * not the verdict: an operation hidden from this caller is refused by the call itself, with the
 * reason (UNAUTHENTICATED, FORBIDDEN, or NOT_FOUND when it really does not exist).
 */
export async function prepare(connect: (args: Record<string, unknown>) => Backend, args: Record<string, unknown>, line: CommandLine): Promise<Prepared> {
  const { running, wantsHelp, unknownKeys, positional, mayConfirm } = line;
  let backend: Backend;
  try {
    backend = connect(args);
  } catch (error) {
    // Bad global options are reported by the command itself; help still shows.
    if (!(error instanceof InputError)) throw error;
    return wantsHelp ? { descriptor: undefined, operations: undefined, helpFailure: undefined } : { exit: 'usage', error };
  }
  if (running !== undefined && (wantsHelp || mayConfirm || unknownKeys.length > 0 || ambiguous(args.param))) {
    const described = await backend.describe(running);
    if (described.ok) return { descriptor: described.value, operations: undefined, helpFailure: undefined };
    if (wantsHelp) return { descriptor: undefined, operations: undefined, helpFailure: TRANSPORT.has(described.problem.code) ? described : undefined };
    if (described.problem.code === 'NOT_FOUND') return { descriptor: undefined, operations: undefined, helpFailure: undefined };
    return { exit: 'failure', failure: described };
  }
  if (wantsHelp && (positional.length === 0 || (positional[0] === 'run' && running === undefined))) {
    const listed = await backend.list();
    if (listed.ok) return { descriptor: undefined, operations: listed.value, helpFailure: undefined };
    return { descriptor: undefined, operations: undefined, helpFailure: TRANSPORT.has(listed.problem.code) ? listed : undefined };
  }
  return { descriptor: undefined, operations: undefined, helpFailure: undefined };
}

/** Commands that call the server as the caller (health is anonymous by design). */
export function connectsOut(positional: readonly string[]): boolean {
  return positional[0] === 'list' || positional[0] === 'describe' || positional[0] === 'run' || positional[0] === 'operations';
}
