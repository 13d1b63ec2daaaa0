import { problem } from '@nexus/core/protocol';
import type { Backend, Failure, OperationSummary, Outcome, RunMode } from './backend.js';
import { InputError, applyParams, mergeFields, readInput } from './input.js';
import { renderFacts } from './render.js';
import type { Output, OutputMode } from './render.js';
import { schemaValues } from './schema-options.js';
import type { SchemaOption } from './schema-options.js';

export interface RunArgs extends Record<string, unknown> {
  readonly name: string;
  readonly input?: string;
  readonly param?: string[];
  readonly async?: boolean;
  readonly wait?: boolean;
}

/** What `run` needs from the command line around it. */
export interface RunSetting {
  readonly scriptName: string;
  readonly maxInputBytes: number | undefined;
  readonly stdin: NodeJS.ReadableStream;
  readonly stderr: Output;
  readonly signal: AbortSignal;
  readonly diagnostics: OutputMode;
  /** A person at a terminal who may be asked to confirm. */
  readonly interactive: boolean;
  readonly descriptor: OperationSummary | undefined;
  readonly inputOptions: readonly SchemaOption[];
  readonly report: (failure: Failure) => number;
  readonly show: (outcome: Outcome<unknown>, args: Record<string, unknown>) => number;
}

function modeOf(args: RunArgs): RunMode {
  if (args.async === true && args.wait === true) {
    throw new InputError(problem({ code: 'INVALID_INPUT', detail: '--async and --wait cannot be combined: --async prints the operation id at once, --wait waits for the result.' }));
  }
  return args.async === true ? 'async' : args.wait === true ? 'wait' : 'auto';
}

/**
 * `run <name>`: builds the input, asks before a destructive operation, then calls. A job is
 * followed to its end unless `--async` asked for its id only (`{operationId, status}`).
 * Asking and following (progress bar included) load only when needed: most runs do neither.
 */
export async function runOperation(args: RunArgs, backend: Backend, setting: RunSetting): Promise<number> {
  const mode = modeOf(args);
  const { descriptor } = setting;
  const base = args.input === undefined ? {} : await readInput(args.input, setting.stdin, setting.maxInputBytes);
  const input = applyParams(mergeFields(base, schemaValues(args, setting.inputOptions)), args.param ?? [], descriptor?.inputSchema);
  if (setting.interactive && descriptor?.annotations?.destructive === true && !(await (await import('./confirm.js')).confirm(setting.stdin, setting.stderr, `"${descriptor.name}" is destructive (${descriptor.description}). Run it?`))) {
    return setting.report({ ok: false, problem: problem({ code: 'CANCELLED', detail: 'Not run: not confirmed. Pass --yes to run it without asking.' }), local: true });
  }
  // Lets a watcher (or a test) know the call is under way, so Ctrl-C now cancels it.
  if (args.verbose === true) renderFacts(setting.stderr, { operation: args.name }, setting.diagnostics);
  const answered = await backend.run(args.name, input, mode);
  if (!answered.ok) return setting.report(answered);
  if ('result' in answered.value) return setting.show({ ...answered, value: answered.value.result }, args);
  const ack = answered.value.job;
  if (mode === 'async') return setting.show({ ...answered, value: ack }, args);
  const { waitForJob } = await import('./wait.js');
  const waited = await waitForJob(backend, ack, setting.stderr, setting.signal, setting.scriptName, answered.requestId);
  return waited.ok ? setting.show({ ...answered, ...waited }, args) : setting.report(waited);
}
