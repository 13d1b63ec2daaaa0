import { spawn } from 'node:child_process';
import { MAIN_JS, cleanEnv } from './processes.js';
import type { Exit } from './processes.js';

/** A running `--worker` process. */
export interface WorkerProcess {
  readonly exited: Promise<Exit>;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
  /** Resolves once the worker logged a line containing `text` (it may already have). */
  logged(text: string): Promise<void>;
}

/**
 * Spawns `node apps/reference/dist/main.js --worker`; it has no listener, so it is ready once it
 * logged "working jobs". Rejects if it exits before that.
 */
export function startWorker(env: Record<string, string | undefined>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [MAIN_JS, '--worker'], { env: cleanEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  const waiting = new Set<() => void>();
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const check of [...waiting]) check();
  });
  const logged = (text: string) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!stderr.includes(text)) return;
      waiting.delete(check);
      resolve();
    };
    waiting.add(check);
    check();
    void exited.then(() => {
      if (!waiting.has(check)) return;
      waiting.delete(check);
      reject(new Error(`the worker exited before logging ${text}:\n${stderr}`));
    });
  });
  const worker: WorkerProcess = { exited, stderr: () => stderr, kill: (signal) => void child.kill(signal), logged };
  return logged('"working jobs"').then(() => worker);
}
