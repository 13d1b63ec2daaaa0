import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Outcome } from './errors.js';

/** The label every operation name outside the registry collapses to, so labels stay bounded. */
export const UNKNOWN_OPERATION_LABEL = '__unknown__';

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Prometheus series shared by core, plugins and channels; one registry per app. */
export interface NexusMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'channel' | 'operation' | 'outcome'>;
  readonly duration: Histogram<'channel' | 'operation'>;
  readonly authFailures: Counter<'channel' | 'reason'>;
  readonly rateLimitStoreErrors: Counter<string>;
  readonly auditSinkErrors: Counter<string>;
  /** Audit records lost, by reason (`no_space`, `write_error`, `overflow`, `sink_error`, `closed`). */
  readonly auditRecordsDropped: Counter<'reason'>;
  readonly registeredOperations: Gauge<string>;
  observe(channel: string, operation: string, outcome: Outcome, seconds: number): void;
}

export function createMetrics(options: { defaultMetrics: boolean }): NexusMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) {
    collectDefaultMetrics({ register: registry });
    // prom-client names three gauges `*_total`, a suffix Prometheus reserves for counters, so
    // `promtool check metrics` fails on them (prom-client#283). The per-type gauges
    // (`nodejs_active_handles{type}`, ...) carry the same numbers: sum them for the total.
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  }
  const requests = new Counter({
    name: 'nexus_requests_total',
    help: 'Invocations by channel, operation and outcome.',
    labelNames: ['channel', 'operation', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'nexus_request_duration_seconds',
    help: 'Invocation latency through the whole pipeline.',
    labelNames: ['channel', 'operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const authFailures = new Counter({
    name: 'nexus_auth_failures_total',
    help: 'Refused credentials by channel and reason.',
    labelNames: ['channel', 'reason'] as const,
    registers: [registry],
  });
  const rateLimitStoreErrors = new Counter({
    name: 'nexus_rate_limit_store_errors_total',
    help: 'Rate-limit store failures (each one allowed or refused per failOpen).',
    registers: [registry],
  });
  const auditSinkErrors = new Counter({
    name: 'nexus_audit_sink_errors_total',
    help: 'Audit records a sink failed to take (the invocation itself is unaffected).',
    registers: [registry],
  });
  const auditRecordsDropped = new Counter({
    name: 'nexus_audit_records_dropped_total',
    help: 'Audit records that were not written, by reason; the invocation itself was still answered unless audit fails closed.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const registeredOperations = new Gauge({
    name: 'nexus_registered_operations',
    help: 'Operations currently registered.',
    registers: [registry],
  });
  return {
    registry,
    requests,
    duration,
    authFailures,
    rateLimitStoreErrors,
    auditSinkErrors,
    auditRecordsDropped,
    registeredOperations,
    observe(channel, operation, outcome, seconds) {
      requests.inc({ channel, operation, outcome });
      duration.observe({ channel, operation }, seconds);
    },
  };
}
