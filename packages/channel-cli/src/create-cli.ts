import { NexusSetupError } from '@nexus/core';
import type { Nexus } from '@nexus/core';
import { createLocalBackend } from './local-backend.js';
import { runAsProcess } from './main.js';
import { runProgram } from './program.js';
import { withStdoutReserved } from './stdout-claim.js';
import type { CliIo } from './program.js';

const DEFAULT_MAX_INPUT_BYTES = 1024 * 1024;

export interface CliOptions {
  /** Name shown in help and completion scripts (default: `nexus`). */
  readonly scriptName?: string;
  /** Shown by `--version`; omitted means no `--version`. */
  readonly version?: string;
  /** One paragraph under the usage line. */
  readonly description?: string;
  /** Largest `--input` text in bytes (1 MiB, the HTTP channel's default body limit); larger is PAYLOAD_TOO_LARGE. */
  readonly maxInputBytes?: number;
}

/** A command line bound to one app: testable in-process through `run`, or a real bin through `main`. */
export interface Cli {
  /** Runs one command line; resolves to the exit status and never throws. */
  run(argv: readonly string[], io?: CliIo): Promise<number>;
  /**
   * For bins: `process.argv`, Ctrl-C cancels, stops the app afterwards, sets `process.exitCode`.
   * Until it returns, stdout carries only the result; anything else the app writes to stdout
   * (a `logging` audit backend, `console.log`) goes to stderr.
   */
  main(argv?: readonly string[]): Promise<number>;
}

/**
 * Gives an app its own command line (`list`, `describe`, `run`, `health`, `completion`).
 * Calls go through the app's whole pipeline with the credential from `--token` / `NEXUS_TOKEN`.
 * @example
 * // bin/my-app.js
 * import { createCli } from '@nexus/channel-cli';
 * import { app } from '../app.js';
 * await createCli(app, { scriptName: 'my-app' }).main();
 */
export function createCli(app: Nexus, options: CliOptions = {}): Cli {
  const maxInputBytes = options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  if (!(Number.isInteger(maxInputBytes) && maxInputBytes > 0)) throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', 'maxInputBytes must be a positive integer number of bytes');
  const config = {
    maxInputBytes,
    scriptName: options.scriptName ?? 'nexus',
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.description === undefined ? {} : { description: options.description }),
    remote: false,
    expectsCredential: () => app.requiresAuthentication,
    backend: (_caller: unknown, settings: Parameters<typeof createLocalBackend>[1]) => createLocalBackend(app, settings),
  };
  const run = (argv: readonly string[], io?: CliIo) => runProgram(config, argv, io);
  return {
    run,
    main: (argv = process.argv.slice(2)) =>
      withStdoutReserved((stdout) => runAsProcess((args, io) => run(args, { ...io, stdout }), argv, () => app.stop())),
  };
}
