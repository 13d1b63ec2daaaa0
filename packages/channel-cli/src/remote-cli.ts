import { runAsProcess } from './main.js';
import { runProgram } from './program.js';
import type { CliIo } from './program.js';
import type { BackendSettings } from './backend.js';
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
  };
  // The HTTP client loads with the first command, not with the package: an app's in-process CLI
  // imports this package too and never calls out.
  const run = async (argv: readonly string[], io?: CliIo) => {
    const { createRemoteBackend } = await import('./remote-backend.js');
    return runProgram({ ...config, backend: (caller: { url?: URL }, settings: BackendSettings) => createRemoteBackend(caller.url!, settings) }, argv, io);
  };
  return { run, main: (argv = process.argv.slice(2)) => runAsProcess(run, argv) };
}
