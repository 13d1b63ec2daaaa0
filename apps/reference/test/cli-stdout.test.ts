import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { CLI_JS, cleanEnv } from './support/processes.js';
import { mint, newSecret } from './support/tokens.js';

/**
 * `cli run ... 2>/dev/null | jq` must see the result and nothing else, whatever the audit
 * backend: a shell discards stderr, and stdout must parse as exactly the result.
 */
const secret = newSecret();
const token = mint(secret, 'alice', ['admin'], 'acme');
const work = mkdtempSync(join(tmpdir(), 'nexus-cli-stdout-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function shell(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout }));
  });
}

describe('the in-process CLI keeps stdout for the result', () => {
  it.each([
    ['audit backend logging (the default: JSON lines that would go to stdout)', {}],
    ['audit to a file', { NEXUS_AUDIT_FILE: join(work, 'audit.log') }],
  ])('with %s', async (_name, extra: Record<string, string>) => {
    const env = cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token, ...extra });
    const { code, stdout } = await shell(`node '${CLI_JS}' run echo --param message=hello 2>/dev/null`, env);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ message: 'hello' });
    if (extra.NEXUS_AUDIT_FILE !== undefined) expect(readFileSync(extra.NEXUS_AUDIT_FILE, 'utf8')).toMatch(/"operation":"echo"/);
  });

  it('still writes the audit record, to stderr, with the logging backend', async () => {
    const env = cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token });
    const { stdout } = await shell(`node '${CLI_JS}' run echo --param message=hello 2>&1 >/dev/null`, env);
    const records = stdout.split('\n').filter((line) => line.includes('"message":"audit"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual([expect.objectContaining({ channel: 'cli', operation: 'echo', outcome: 'allowed' })]);
  });

  it('says jobs are lost on restart only for a command that runs one in this process', async () => {
    const env = cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_TOKEN: token });
    const lost = async (args: string) => {
      const { code, stdout: stderr } = await shell(`node '${CLI_JS}' ${args} 2>&1 >/dev/null`, env);
      expect(code).toBe(0);
      return stderr.split('\n').filter((line) => line.includes('lost on restart')).length;
    };
    expect(await lost('list')).toBe(0);
    expect(await lost('run echo --param message=hello')).toBe(0);
    expect(await lost('operations list')).toBe(0);
    expect(await lost('run tenant_report --param days=1')).toBe(1);
  });
});
