import type { CliIo } from './program.js';

/** Runs one command line as a process: Ctrl-C cancels the call (a second one exits at once), exit status set on return. */
export async function runAsProcess(run: (argv: readonly string[], io: CliIo) => Promise<number>, argv: readonly string[], after?: () => Promise<void>): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let code: number;
  try {
    code = await run(argv, { signal: controller.signal });
    await after?.();
  } finally {
    process.off('SIGINT', onSigint);
  }
  process.exitCode = code;
  return code;
}
