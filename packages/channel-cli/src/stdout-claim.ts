import type { Output } from './render.js';

/**
 * Runs `body` with process stdout reserved for the command's result: every other write to
 * process.stdout (an audit sink logging JSON lines, a handler's console.log) lands on stderr
 * meanwhile, so `cli run ... 2>/dev/null | jq` sees the result alone. `body` gets the output
 * that still reaches stdout. The app runs in this process, so nothing else can keep its output
 * off stdout for every configuration.
 */
export async function withStdoutReserved<T>(body: (stdout: Output) => Promise<T>): Promise<T> {
  const stdout = process.stdout;
  const ownWrite = Object.hasOwn(stdout, 'write') ? stdout.write : undefined;
  const write = stdout.write.bind(stdout);
  stdout.write = process.stderr.write.bind(process.stderr) as typeof stdout.write;
  try {
    return await body({ write: (chunk: string) => write(chunk), isTTY: stdout.isTTY });
  } finally {
    if (ownWrite === undefined) delete (stdout as { write?: unknown }).write;
    else stdout.write = ownWrite;
  }
}
