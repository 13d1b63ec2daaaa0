import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const NEXUS_BIN = fileURLToPath(new URL('../../dist/bin/nexus.js', import.meta.url));
export const IN_PROCESS_BIN = fileURLToPath(new URL('../fixtures/conformance-cli.js', import.meta.url));

export interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  readonly stdin?: string;
  /** Sends SIGINT (Ctrl-C) once aborted and the child has written its first stderr line (`--verbose` start). */
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** Runs a script under node; SIGKILL after `timeoutMs` so no child outlives a test. */
export function runNode(script: string, args: readonly string[], options: RunOptions = {}): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NEXUS_URL: undefined, NEXUS_TOKEN: undefined, NEXUS_TENANT: undefined, NODE_OPTIONS: undefined, ...options.env };
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.end(options.stdin ?? '');
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    child.stderr.on('data', () => started());
    const onAbort = () => void running.then(() => child.kill('SIGINT'));
    // A signal aborted before the call was made cancels it too (an abort event never comes).
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code, stdout, stderr });
    });
  });
}
