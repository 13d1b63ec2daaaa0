import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LintProblem {
  readonly ruleId: string;
  readonly severity: 'error' | 'warn';
  readonly message: string;
  readonly location?: unknown;
}

const CLI = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');

/**
 * Runs the real `redocly lint` (recommended rules) on a document. Offline: telemetry and the
 * update check are off, and the document is a local file.
 */
export async function redoclyLint(document: unknown): Promise<{ errors: LintProblem[]; warnings: LintProblem[]; summary: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-openapi-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(document));
  try {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'lint', file, '--format', 'json'], {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ stdout: out, stderr: err, code }));
    });
    const start = stdout.indexOf('{');
    if (start < 0) throw new Error(`redocly lint printed no JSON: ${stdout}${stderr}`);
    const report = JSON.parse(stdout.slice(start)) as { problems: LintProblem[] };
    const errors = report.problems.filter((problem) => problem.severity === 'error');
    const warnings = report.problems.filter((problem) => problem.severity !== 'error');
    const summary = report.problems.map((problem) => `  ${problem.severity} ${problem.ruleId}: ${problem.message}`).join('\n') || '  (no problems)';
    return { errors, warnings, summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
