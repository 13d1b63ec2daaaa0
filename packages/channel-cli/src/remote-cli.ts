import { createRemoteBackend } from './remote-backend.js';
import { runAsProcess } from './main.js';
import { runProgram } from './program.js';
import type { CliIo } from './program.js';
import type { Cli, CliOptions } from './create-cli.js';

/**
 * The `nexus` command: the same commands as `createCli`, run against a server over HTTP.
 * @example
 * const code = await createRemoteCli().run(['run', 'echo', '--param', 'message=hi', '--url', 'http://127.0.0.1:8000']);
 */
export function createRemoteCli(options: CliOptions = {}): Cli {
  const config = {
    scriptName: options.scriptName ?? 'nexus',
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.description === undefined ? {} : { description: options.description }),
    remote: true,
    expectsCredential: () => true,
    backend: (caller: { url?: URL }, settings: Parameters<typeof createRemoteBackend>[1]) => createRemoteBackend(caller.url!, settings),
  };
  const run = (argv: readonly string[], io?: CliIo) => runProgram(config, argv, io);
  return { run, main: (argv = process.argv.slice(2)) => runAsProcess(run, argv) };
}
