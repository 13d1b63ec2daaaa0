import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';

/**
 * The porting guide's sections (docs/porting/*.ts) as a user builds them: a fresh npm project
 * (npm, not pnpm, so nothing resolves through a workspace's hoisting) with the packed tarballs,
 * zod and express, compiled with the strictest common compiler options, then run one by one.
 */
export const PORTING_OPTIONS = { strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true } as const;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): string {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Installs the tarballs with npm into `<work>/porting`, copies the sections in, and compiles them; returns the project. */
export function buildPortingProject(work: string, sourceDir: string, tarballs: ReadonlyMap<string, string>, tsc: string, env: NodeJS.ProcessEnv): { project: string; sections: string[] } {
  const project = join(work, 'porting');
  mkdirSync(join(project, 'src'), { recursive: true });
  const sections = readdirSync(sourceDir).filter((file) => file.endsWith('.ts')).map((file) => file.slice(0, -3)).sort();
  for (const section of sections) copyFileSync(join(sourceDir, `${section}.ts`), join(project, 'src', `${section}.ts`));
  const dependencies: Record<string, string> = { zod: '4.6.7', express: '5.3.0', '@types/express': '5.0.6', '@types/node': '20.19.43' };
  // The guide uses neither the example channel nor jobs (whose BullMQ npm would fetch for nothing).
  for (const [name, file] of tarballs) if (name !== '@nexus/example-custom-channel' && name !== '@nexus/jobs') dependencies[name] = `file:${file}`;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'porting', private: true, type: 'module', dependencies }, null, 2));
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], rootDir: 'src', outDir: 'dist',
      ...PORTING_OPTIONS, skipLibCheck: true, verbatimModuleSyntax: true,
    },
    include: ['src'],
  }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], project, env, 240_000);
  // The workspace's compiler; every import resolves from the project's own node_modules.
  run(tsc, ['-p', project], project, env, 120_000);
  return { project, sections };
}

export interface RunningSection {
  readonly api: string;
  readonly mcp: string;
  readonly stdout: () => string;
  stop(): Promise<void>;
}

/** Starts `dist/<section>.js` on free ports and resolves once both channels report where they listen. */
export function startSection(project: string, section: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<RunningSection> {
  const child: ChildProcess = spawn(process.execPath, [join(project, 'dist', `${section}.js`)], {
    cwd: project,
    env: { ...env, API_PORT: '0', MCP_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const urls: Record<string, string> = {};
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${section} did not report both listeners within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      for (const match of stderr.matchAll(/"message":"(api|mcp) listening on ([^"]+)"/g)) urls[match[1]!] = match[2]!;
      if (urls.api !== undefined && urls.mcp !== undefined) {
        clearTimeout(timer);
        resolve({ api: urls.api, mcp: urls.mcp, stdout: () => stdout, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${section} exited ${code} before listening:\n${stderr}`));
    });
  });
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

/** Tokens for the sections: HS256 with the sections' JWT_SECRET, RS256 from the test's JWKS. */
export interface SectionTokens {
  hs(roles: string[], claims?: Record<string, unknown>): string;
  rs(roles: string[], extra?: { issuer?: string; audience?: string }): string;
}

/** What each ported section must do once started, checked over HTTP. */
export function sectionChecks({ hs, rs }: SectionTokens): Record<string, (api: string) => Promise<void>> {
  const call = async (base: string, operation: string, token: string | undefined, inputs: unknown = {}) => {
    const response = await fetch(`${base}/workflows/${operation}/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ inputs }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const get = async (base: string, path: string, token?: string) => {
    const response = await fetch(`${base}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    return { status: response.status, headers: response.headers, body: await response.text() };
  };

  /**
   * GET `path` until the rate limiter's Redis answered it (its headers are there). With failOpen a
   * call the store did not answer in time, on a slow start or a loaded machine, is served uncounted
   * and without headers; the deadline only stops a broken limiter from hanging the test.
   */
  const getCounted = async (base: string, path: string, token: string) => {
    const deadline = performance.now() + 20_000;
    for (;;) {
      const answer = await get(base, path, token);
      if (answer.status !== 200 || answer.headers.get('x-ratelimit-limit') !== null || performance.now() > deadline) return answer;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  return {
    'production-deployment': async (api) => {
      expect((await get(api, '/workflows', rs(['admin']))).status).toBe(200);
      expect((await get(api, '/metrics')).body).toMatch(/nexus_requests_total/);
    },
    sso: async (api) => {
      expect((await get(api, '/workflows', rs([], { issuer: 'https://sso.company.com', audience: 'nexus-platform' }))).status).toBe(200);
      expect((await get(api, '/workflows', rs([], { issuer: 'https://elsewhere.example' }))).status).toBe(401);
    },
    rbac: async (api) => {
      expect(JSON.parse((await get(api, '/custom/admin', hs(['admin']))).body)).toEqual({ admin: true });
      expect((await get(api, '/custom/admin', hs(['executive']))).status).toBe(403);
      const remove = async (roles: string[]) =>
        (await fetch(`${api}/custom/articles/7`, { method: 'DELETE', headers: { authorization: `Bearer ${hs(roles)}` } })).status;
      // admin's '*' grants delete:articles; developer's read:*, write:*, execute:* do not.
      expect({ admin: await remove(['admin']), developer: await remove(['developer']) }).toEqual({ admin: 200, developer: 403 });
    },
    'abac-middleware': async (api) => {
      const before = new Date().getHours();
      const { status, body } = await call(api, 'sensitive_report', hs([]));
      if (new Date().getHours() !== before) return; // the hour turned during the call
      if (before >= 9 && before <= 17) expect({ status, body: body.result }).toEqual({ status: 200, body: { report: 'quarterly' } });
      else expect({ status, detail: body.detail }).toEqual({ status: 403, detail: 'Access restricted to business hours' });
    },
    'tenant-isolation': async (api) => {
      expect((await get(api, '/workflows', hs(['tenant_user']))).status).toBe(200);
      const other = await fetch(`${api}/workflows`, { headers: { authorization: `Bearer ${hs(['tenant_user'])}`, 'x-tenant-id': 'globex' } });
      expect(other.status).toBe(403);
    },
    'tenant-workflows': async (api) => {
      const processed = await call(api, 'tenant_data_processing', undefined, { tenant_id: 'acme', customer_id: 'c-1', compliance_level: 'gdpr' });
      expect(processed.body.result).toEqual({ tenant_id: 'acme', customer_id: 'c-1', processing: 'gdpr' });
      const workflow = await call(api, 'tenant_workflow', undefined, {});
      expect(workflow.body.result).toEqual({ process_tenant_data: { tenant_id: 'unknown', compliance_level: 'standard' } });
    },
    monitoring: async (api) => {
      expect((await call(api, 'system_status', hs([]))).body.result).toMatchObject({ status: 'healthy', health: { status: 'healthy' } });
    },
    'audit-logging': async (api) => {
      expect((await get(api, '/workflows', hs(['user']))).status).toBe(200);
    },
    'load-balancing': async (api) => {
      const listed = await getCounted(api, '/workflows', hs(['operator']));
      expect({ status: listed.status, limit: listed.headers.get('x-ratelimit-limit') }).toEqual({ status: 200, limit: '1020' });
    },
    'health-check': async (api) => {
      expect((await call(api, 'deep_health', undefined)).body.result).toEqual({ status: 'healthy', channels: { api: 'running', cli: 'available', mcp: 'running' } });
    },
    gdpr: async (api) => {
      expect((await call(api, 'gdpr_delete_user_data', hs(['dpo']), { user_id: 'u-1' })).body.result).toEqual({ user_id: 'u-1', status: 'deleted', gdpr_article: '17' });
      expect((await call(api, 'gdpr_delete_user_data', hs(['user']), { user_id: 'u-1' })).status).toBe(403);
    },
    hipaa: async (api) => {
      expect((await get(api, '/workflows', hs(['nurse'], { organization_id: 'clinic-1' }))).status).toBe(200);
    },
    'rate-limiting': async (api) => {
      const listed = await getCounted(api, '/workflows', hs(['user']));
      expect({ status: listed.status, limit: listed.headers.get('x-ratelimit-limit') }).toEqual({ status: 200, limit: '120' });
    },
  };
}
