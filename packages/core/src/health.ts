export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthCheckResult {
  readonly status: HealthStatus;
  readonly detail?: string;
  readonly [field: string]: unknown;
}

export type HealthCheck = () => HealthCheckResult | Promise<HealthCheckResult>;

export interface HealthReport {
  readonly status: HealthStatus;
  readonly checks: Readonly<Record<string, HealthCheckResult>>;
}

const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** Runs every check with a deadline; a check that throws or hangs counts as unhealthy. */
export async function runHealthChecks(checks: ReadonlyMap<string, HealthCheck>, timeoutMs: number): Promise<HealthReport> {
  const entries = await Promise.all(
    [...checks].map(async ([name, check]): Promise<[string, HealthCheckResult]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const deadline = new Promise<HealthCheckResult>((resolve) => {
          timer = setTimeout(() => resolve({ status: 'unhealthy', detail: 'check timed out' }), timeoutMs);
        });
        return [name, await Promise.race([Promise.resolve().then(check), deadline])];
      } catch {
        return [name, { status: 'unhealthy', detail: 'check failed' }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  let status: HealthStatus = 'healthy';
  for (const [, result] of entries) if (RANK[result.status] > RANK[status]) status = result.status;
  return { status, checks: Object.fromEntries(entries) };
}
