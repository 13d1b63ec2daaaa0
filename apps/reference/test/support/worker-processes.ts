import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_ENV } from './redis.js';
import { startWorker } from './workers.js';
import type { WorkerProcess } from './workers.js';

/**
 * A deployment on the shared Redis: its own job queue (so no other server on that Redis takes
 * its jobs) and one audit file per process, where each process's completion records are counted.
 */
export function jobDeployment(label: string, secret: string) {
  const queue = `${label}-${Math.random().toString(36).slice(2, 10)}`;
  const auditOf = (name: string) => join(tmpdir(), `nexus-${queue}-${name}.audit`);
  const env = (name: string): Record<string, string> => ({
    NEXUS_JWT_SECRET: secret,
    ...REDIS_ENV,
    NEXUS_JOBS_QUEUE: queue,
    NEXUS_JOB_LOCK_MS: '2000',
    NEXUS_AUDIT_FILE: auditOf(name),
    NEXUS_DRAIN_DELAY_MS: '0',
    // Limiter buckets live in the shared Redis keyed by tenant and principal, which other test
    // files running at the same time also use: these tests are about jobs, not limits.
    NEXUS_RATE_LIMIT_RPM: '1000000',
    NEXUS_RATE_LIMIT_BURST: '100000',
  });

  /** Every audit record process `name` wrote so far. */
  const records = (name: string): Array<Record<string, unknown>> => {
    let text = '';
    try {
      text = readFileSync(auditOf(name), 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  /** Completion audit records (one per run of a job) that process `name` wrote. */
  const completions = (name: string) => records(name).filter((record) => record.phase === 'completed') as Array<{ operationId: string; status: number }>;

  return {
    env,
    records,
    /** Waits until process `name` wrote `count` audit records matching `match` (audit writes are asynchronous). */
    async recordsOf(name: string, match: (record: Record<string, unknown>) => boolean, count: number): Promise<Array<Record<string, unknown>>> {
      for (;;) {
        const found = records(name).filter(match);
        if (found.length >= count) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    completions,
    /** Waits until the named processes' audit files hold `count` completions of `ids` (audit writes are asynchronous). */
    async completionsOf(names: readonly string[], ids: readonly string[], count: number): Promise<Record<string, string[]>> {
      for (;;) {
        const byProcess = Object.fromEntries(names.map((name) => [name, completions(name).map((record) => record.operationId).filter((id) => ids.includes(id))]));
        if (Object.values(byProcess).reduce((sum, runs) => sum + runs.length, 0) >= count) return byProcess;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    /** A `--worker` process of this deployment, ready once it logged "working jobs". */
    startWorker(name: string, concurrency = 4): Promise<WorkerProcess> {
      return startWorker({ ...env(name), NEXUS_WORKER_CONCURRENCY: String(concurrency) });
    },
    removeAudit(names: readonly string[]): void {
      for (const name of names) rmSync(auditOf(name), { force: true });
    },
  };
}
