import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = (relative: string) => fileURLToPath(new URL(`../../../../${relative}`, import.meta.url));

/** The built entry points the e2e suite drives (stable paths). */
export const MAIN_JS = root('apps/reference/dist/main.js');
export const CLI_JS = root('apps/reference/dist/cli.js');
export const NEXUS_JS = root('packages/channel-cli/dist/bin/nexus.js');

/** Every child spawned by this module and still alive; `killAll()` ends them. */
const live = new Set<ChildProcess>();

/**
 * The environment a child starts from: this process's, minus anything that configures the app
 * or the CLI (so a developer's shell cannot change a test) and minus Jest's NODE_OPTIONS.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('NEXUS_') || key === 'REDIS_URL' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running reference server. */
export interface AppProcess {
  readonly child: ChildProcess;
  readonly api: string;
  readonly mcp: string;
  readonly exited: Promise<Exit>;
  stderr(): string;
  stdout(): string;
  /** Sends `signal` (SIGTERM) and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

function track(child: ChildProcess): Promise<Exit> {
  live.add(child);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<Exit>, signal: NodeJS.Signals, timeoutMs: number): Promise<Exit> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Spawns `node apps/reference/dist/main.js` on free ports and resolves once it logged its
 * `listening` line. Rejects (and kills the child) if it exits or stays silent for `timeoutMs`.
 */
export function startApp(env: Record<string, string | undefined>, options: { timeoutMs?: number } = {}): Promise<AppProcess> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const child = spawn(process.execPath, [MAIN_JS], {
    env: cleanEnv({ NEXUS_API_PORT: '0', NEXUS_MCP_PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = track(child);
  let stderr = '';
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app did not log "listening" within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      // Only complete lines: a chunk may end in the middle of the listening line.
      const line = stderr.split('\n').slice(0, -1).find((candidate) => candidate.includes('"listening"'));
      if (!line) return;
      let listening: { api?: unknown; mcp?: unknown };
      try {
        listening = JSON.parse(line) as typeof listening;
      } catch {
        return;
      }
      if (typeof listening.api !== 'string' || typeof listening.mcp !== 'string') return;
      clearTimeout(timer);
      resolve({
        child,
        api: listening.api,
        mcp: listening.mcp,
        exited,
        stderr: () => stderr,
        stdout: () => stdout,
        // Above the app's 10 s drain grace (plus its drain delay), so a slow graceful stop on a busy machine is not cut short.
        stop: (signal = 'SIGTERM', stopTimeoutMs = 30_000) => stopChild(child, exited, signal, stopTimeoutMs),
      });
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`the app exited (${exit.code ?? exit.signal}) before listening; stderr:\n${stderr}`));
    });
  });
}

export interface Completed extends Exit {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <script> ...args` to completion (SIGKILL after `timeoutMs`). */
export function runNode(script: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Completed> {
  const child = spawn(process.execPath, [script, ...args], { env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = track(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return exited.then((exit) => {
    clearTimeout(timer);
    return { ...exit, stdout, stderr };
  });
}

/** Kills every child this module spawned that is still running, and waits for them. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
          setTimeout(resolve, 2_000).unref();
        }),
    ),
  );
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
