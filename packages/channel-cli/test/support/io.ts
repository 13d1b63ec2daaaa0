import { Readable } from 'node:stream';
import type { CliIo } from '../../src/index.js';

/** Buffers in place of the process streams, for in-process runs. */
export function bufferedIo(options: { stdin?: string; env?: Record<string, string>; signal?: AbortSignal; tty?: boolean } = {}) {
  const out = { text: '', isTTY: options.tty ?? false, write(chunk: string) { out.text += chunk; return true; } };
  const err = { text: '', isTTY: false, write(chunk: string) { err.text += chunk; return true; } };
  const io: CliIo = {
    stdout: out,
    stderr: err,
    stdin: Readable.from([options.stdin ?? '']),
    env: options.env ?? {},
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  return { io, out, err };
}
