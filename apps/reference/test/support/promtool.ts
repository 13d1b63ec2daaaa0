import { spawn, spawnSync } from 'node:child_process';

/** What `promtool check metrics` said about an exposition. */
export interface PromtoolCheck {
  /** No parse error and no lint problem other than the tolerated ones. */
  ok: boolean;
  /** promtool's exit status: 0 clean, 1 unparsable, 3 lint problems. */
  exitCode: number | null;
  /** promtool's whole output (stdout and stderr), tolerated findings included. */
  output: string;
  /** The findings that made `ok` false. */
  problems: string[];
}

/** promtool's exit code for lint problems; 1 means the text did not parse. */
const LINT_EXIT_CODE = 3;

/** True when `promtool` (Debian package `prometheus`) is on the PATH. */
export function promtoolAvailable(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/**
 * Lints a Prometheus text exposition (e.g. the body of GET /metrics) with
 * `promtool check metrics`. A parse error is never ok; lint findings are ok only when all of
 * them are in `tolerate` (default: none). A missing or hung promtool
 * rejects, so a check never passes by default.
 */
export function checkMetricsWithPromtool(
  text: string,
  options: { timeoutMs?: number; tolerate?: readonly string[] } = {},
): Promise<PromtoolCheck> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const tolerate = new Set(options.tolerate ?? []);
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`promtool check metrics did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error('promtool not found: install the Debian package "prometheus" (.ci/run does)')
          : error,
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = output.split('\n').map((line) => line.trim()).filter((line) => line !== '');
      const problems = code === LINT_EXIT_CODE ? lines.filter((line) => !tolerate.has(line)) : lines;
      const ok = code === 0 || (code === LINT_EXIT_CODE && problems.length === 0);
      resolve({ ok, exitCode: code, output: output.trim(), problems: ok ? [] : problems.length > 0 ? problems : [`promtool exited with ${code}`] });
    });
    // promtool may exit before reading everything (e.g. on a parse error): that is its verdict.
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
  });
}
