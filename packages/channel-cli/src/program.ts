import type { Argv, Options } from 'yargs';
import type { Backend, BackendSettings, Failure, Outcome } from './backend.js';
import type { CompletionShell } from './completion.js';
import { exitCodeOf } from './exit-codes.js';
import { InputError } from './input.js';
import { PARSER_CONFIG, RESERVED_NAMES, RUN_OPTIONS, callerSettings, globalOptions, outputModesOf } from './options.js';
import type { CallerSettings } from './options.js';
import { notice, renderFacts, renderFailure, renderNextCursor, renderResult } from './render.js';
import { connectsOut, prepare } from './prepare.js';
import type { Output } from './render.js';
import { schemaOptions } from './schema-options.js';
import { problem } from '@nexus/core/protocol';
import type { SchemaOption } from './schema-options.js';
import { parseSimpleRun } from './simple-run.js';
import { runOperation } from './run-command.js';
import type { RunArgs } from './run-command.js';

/** The streams, environment and cancellation signal of one command line; process defaults when omitted. */
export interface CliIo {
  readonly stdout?: Output;
  readonly stderr?: Output;
  readonly stdin?: NodeJS.ReadableStream;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Aborting it cancels the running operation (Ctrl-C in a real bin): exit 130. */
  readonly signal?: AbortSignal;
}

export interface ProgramConfig {
  readonly scriptName: string;
  readonly version?: string;
  readonly description?: string;
  /** Remote mode adds `--url`; in-process mode has no server to name. */
  readonly remote: boolean;
  readonly backend: (caller: CallerSettings, settings: BackendSettings) => Backend;
  /** Whether calls without a credential are worth a notice (a remote server cannot be asked; an app can). */
  readonly expectsCredential: () => boolean;
  /** Largest `--input` text in bytes; remote mode leaves the limit to the server. */
  readonly maxInputBytes?: number;
}

class UsageFailure extends Error {}

const GLOBAL_KEYS = (remote: boolean) => Object.keys(globalOptions(remote));
const KNOWN_KEYS = new Set([...GLOBAL_KEYS(true), 'requestId', 'idempotencyKey', ...Object.keys(RUN_OPTIONS), 'help', 'h', 'version', 'id', '_', '$0']);

/** Parses one command line and runs it; resolves to the exit status, never throws. */
export async function runProgram(config: ProgramConfig, argv: readonly string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const stdin = io.stdin ?? process.stdin;
  const env = io.env ?? process.env;
  const signal = io.signal ?? new AbortController().signal;
  const mode = outputModesOf(argv, stdout.isTTY);
  const report = (failure: Failure): number => {
    renderFailure(stderr, failure, mode.diagnostics, config.scriptName);
    return exitCodeOf(failure.problem.code);
  };
  const local = (error: InputError): Failure => ({ ok: false, problem: error.problem, local: true });
  const connect = (args: Record<string, unknown>): Backend => {
    const caller = callerSettings(args, env, config.remote);
    return config.backend(caller, { ...caller, signal, argv });
  };

  // A plain `run <name>` needs no yargs at all (see simple-run.ts); yargs is loaded only otherwise.
  const simple = parseSimpleRun(argv, config.remote);
  const full = simple ? undefined : await import('./full-parser.js');
  // First pass, lenient: enough to know the command and the caller before building the real parser.
  const lenient = Object.fromEntries(Object.entries({ ...globalOptions(true), ...RUN_OPTIONS }).map(([key, option]) => [key, { type: option.type ?? 'string', ...(option.array ? { array: true } : {}) }]));
  const first = (simple ?? (await full!.yargs().exitProcess(false).help(false).version(false).parserConfiguration(PARSER_CONFIG).options(lenient as Record<string, Options>).parseAsync([...argv], {}, () => {}))) as Record<string, unknown> & { _: unknown[] };
  const positional = first._.map(String);
  const wantsHelp = first.help === true || first.h === true;
  const running = positional[0] === 'run' ? positional[1] : undefined;
  // Only keys as typed: the parser's camel-case copies (`userId` for `--user_id`) are not fields.
  const unknownKeys = Object.keys(first).filter((key) => !KNOWN_KEYS.has(key) && argv.some((arg) => arg === `--${key}` || arg.startsWith(`--${key}=`) || arg === `--no-${key}`));

  if (full !== undefined && argv[0] === full.COMPLETION_FLAG) {
    const options = [...GLOBAL_KEYS(config.remote), ...Object.keys(RUN_OPTIONS), 'help'];
    const words = await full.complete(argv.slice(1), options, () => {
      try {
        return connect(first);
      } catch {
        return undefined;
      }
    });
    stdout.write(words.map((word) => `${word}\n`).join(''));
    return 0;
  }

  // What help and typed input need from the server, fetched before the real parse.
  const interactive = (stdin as { isTTY?: boolean }).isTTY === true && first.yes !== true;
  const prepared = await prepare(connect, first, { running, wantsHelp, unknownKeys, positional, mayConfirm: interactive });
  if ('exit' in prepared) return prepared.exit === 'usage' ? report(local(prepared.error)) : report(prepared.failure);
  const { descriptor, operations, helpFailure } = prepared;
  const credentialGiven = [first.token, env.NEXUS_TOKEN].some((value) => typeof value === 'string' && value !== '');
  if (!wantsHelp && !credentialGiven && connectsOut(positional) && config.expectsCredential()) {
    notice(stderr, 'No credential: pass --token or set NEXUS_TOKEN. Calling anonymously, so only public operations are available.', mode.diagnostics);
  }
  // An operation the caller cannot see still gets its fields as text: the server's answer to the call says why.
  const inputOptions: SchemaOption[] = descriptor ? schemaOptions(descriptor.inputSchema, RESERVED_NAMES) : running === undefined ? [] : unknownKeys.map((key) => ({ key, kind: 'string', describe: '' }));

  let exitCode: number | undefined;
  const command = <A>(body: (args: A & Record<string, unknown>, backend: Backend) => Promise<number>) => async (parsed: unknown) => {
    const args = parsed as A & Record<string, unknown>;
    try {
      exitCode = await body(args, connect(args));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      exitCode = report(local(error));
    }
  };
  const show = <T>(outcome: Outcome<T>, args: Record<string, unknown>, value: (result: T) => unknown = (result) => result): number => {
    if (!outcome.ok) return report(outcome);
    renderResult(stdout, value(outcome.value), mode.result);
    if (args.verbose === true) {
      const { requestId, durationMs, rateLimit, replayed } = outcome;
      renderFacts(stderr, {
        ...(requestId === undefined ? {} : { requestId }),
        ...(durationMs === undefined ? {} : { durationMs }),
        ...(rateLimit === undefined ? {} : { rateLimit }),
        ...(replayed === undefined ? {} : { replayed }),
      }, mode.diagnostics);
    }
    return 0;
  };

  const runCommand = command<RunArgs>((args, backend) => runOperation(args, backend, {
    scriptName: config.scriptName,
    maxInputBytes: config.maxInputBytes,
    stdin,
    stderr,
    signal,
    diagnostics: mode.diagnostics,
    interactive,
    descriptor,
    inputOptions,
    report,
    show,
  }));
  if (simple) {
    try {
      await runCommand(simple);
    } catch {
      return report({ ok: false, problem: problem({ code: 'INTERNAL', detail: 'An internal error occurred.' }) });
    }
    return exitCode ?? 0;
  }

  const { yargs, catalogue, explain, operationsCommand, COMPLETION_SHELLS, completionScript } = full!;
  const parser: Argv = yargs()
    .scriptName(config.scriptName)
    .usage(`$0 <command> [options]${config.description ? `\n\n${config.description}` : ''}`)
    .exitProcess(false)
    .strict()
    .recommendCommands()
    .parserConfiguration(PARSER_CONFIG)
    .options(globalOptions(config.remote))
    .group(GLOBAL_KEYS(config.remote), 'Global options:')
    .command('list', 'List the operations you may run', {}, command(async (args, backend) => show(await backend.list(), args)))
    .command(
      'describe <name>',
      'Show one operation and its input schema',
      (y: Argv) => y.positional('name', { type: 'string', describe: 'Operation name' }),
      command<{ name: string }>(async (args, backend) => show(await backend.describe(args.name), args)),
    )
    .command(
      'run <name>',
      'Run an operation',
      (y: Argv) => {
        y.positional('name', { type: 'string', describe: 'Operation name' }).options(RUN_OPTIONS).group(Object.keys(RUN_OPTIONS), 'Input:');
        for (const option of inputOptions) y.option(option.key, { describe: option.describe, ...(option.kind === 'boolean' ? { type: 'boolean' as const } : { requiresArg: true }) });
        if (descriptor) y.group(inputOptions.map((option) => option.key), `Fields of ${descriptor.name} (${descriptor.description}):`);
        if (operations) y.epilog(catalogue(operations));
        return y;
      },
      runCommand,
    )
    .command(...operationsCommand(command, show, (cursor) => renderNextCursor(stderr, cursor, mode.diagnostics)))
    .command(
      'health',
      'Show service health (exit 69 when unhealthy)',
      {},
      command(async (args, backend) => {
        const outcome = await backend.health();
        const code = show(outcome, args);
        return code === 0 && outcome.ok && outcome.value.status === 'unhealthy' ? exitCodeOf('UNAVAILABLE') : code;
      }),
    )
    .command(
      'completion [shell]',
      'Print a shell completion script: nexus completion bash >> ~/.bashrc',
      (y: Argv) => y.positional('shell', { choices: [...COMPLETION_SHELLS], describe: 'Shell (default: from $SHELL)' }),
      command<{ shell?: CompletionShell }>(async (args) => {
        const shell = args.shell ?? (/zsh$/.test(env.SHELL ?? '') ? 'zsh' : 'bash');
        stdout.write(completionScript(shell, config.scriptName));
        return 0;
      }),
    )
    .demandCommand(1, 'Name a command.')
    .help()
    .alias('help', 'h')
    .wrap(Math.min(110, (stdout as { columns?: number }).columns ?? 100))
    .fail((message, error) => {
      throw new UsageFailure(message ?? error?.message ?? 'Invalid command line.');
    });
  if (config.version === undefined) parser.version(false);
  else parser.version('version', 'Show the version', config.version);
  if (operations && positional.length === 0) parser.epilog(catalogue(operations));

  let help = '';
  try {
    await parser.parseAsync([...argv], {}, (_error: unknown, _args: unknown, output: string) => {
      help = output;
    });
  } catch (error) {
    if (error instanceof UsageFailure) return report(local(new InputError(problem({ code: 'INVALID_INPUT', detail: explain(error.message, positional, [...GLOBAL_KEYS(config.remote), ...Object.keys(RUN_OPTIONS), ...inputOptions.map((option) => option.key)]) }))));
    return report({ ok: false, problem: problem({ code: 'INTERNAL', detail: 'An internal error occurred.' }) });
  }
  if (exitCode !== undefined) return exitCode;
  if (help !== '') stdout.write(help.endsWith('\n') ? help : `${help}\n`);
  // Help was printed without what the server would have added; say why, and exit as unavailable.
  if (help !== '' && helpFailure !== undefined) {
    report(helpFailure);
    return exitCodeOf('UNAVAILABLE');
  }
  return 0;
}
