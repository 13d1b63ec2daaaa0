import { createRequire } from 'node:module';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Outcome } from './errors.js';

/** The label every operation name outside the registry collapses to, so labels stay bounded. */
export const UNKNOWN_OPERATION_LABEL = '__unknown__';

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * Observations kept before the registry exists. Past this many the registry is built and they are
 * replayed, so a long-running process that is never scraped holds a bounded backlog.
 */
const PENDING_LIMIT = 1024;

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

type Series = Omit<NexusMetrics, 'observe'>;
type PromClient = typeof import('prom-client');

interface Deferred {
  setOperations(count: number): void;
  whenBuilt(define: (prom: PromClient, registry: Registry) => void): void;
}

const deferred = new WeakMap<NexusMetrics, Deferred>();

/** Sets `nexus_registered_operations` without building the registry just for that. */
export function setRegisteredOperations(metrics: NexusMetrics, count: number): void {
  const own = deferred.get(metrics);
  if (own === undefined) metrics.registeredOperations.set(count);
  else own.setOperations(count);
}

/**
 * Defines more series once the registry exists (at once if it does), so their owner does not
 * build it early. Series of a caller-made NexusMetrics are defined at once.
 */
export function whenMetricsBuilt(metrics: NexusMetrics, define: (prom: PromClient, registry: Registry) => void): void {
  const own = deferred.get(metrics);
  if (own === undefined) define(loadPromClient(), metrics.registry);
  else own.whenBuilt(define);
}

function loadPromClient(): PromClient {
  return createRequire(import.meta.url)('prom-client') as PromClient;
}

/**
 * prom-client costs a short-lived process (a one-shot CLI command) about as much start-up as
 * everything else, and only a reader needs it: the registry is built the first time any series is
 * touched, and what was observed before is replayed into it, so a scrape reads the same numbers.
 */
export function createMetrics(options: { defaultMetrics: boolean }): NexusMetrics {
  let series: Series | undefined;
  let pending: Array<[string, string, Outcome, number]> = [];
  let operations: number | undefined;
  const definers: Array<(prom: PromClient, registry: Registry) => void> = [];
  const build = (): Series => {
    if (series !== undefined) return series;
    const prom = loadPromClient();
    series = buildSeries(prom, options.defaultMetrics);
    if (operations !== undefined) series.registeredOperations.set(operations);
    for (const define of definers.splice(0)) define(prom, series.registry);
    const backlog = pending;
    pending = [];
    for (const [channel, operation, outcome, seconds] of backlog) record(series, channel, operation, outcome, seconds);
    return series;
  };
  const metrics: NexusMetrics = {
    get registry() { return build().registry; },
    get requests() { return build().requests; },
    get duration() { return build().duration; },
    get authFailures() { return build().authFailures; },
    get rateLimitStoreErrors() { return build().rateLimitStoreErrors; },
    get auditSinkErrors() { return build().auditSinkErrors; },
    get auditRecordsDropped() { return build().auditRecordsDropped; },
    get registeredOperations() { return build().registeredOperations; },
    observe(channel, operation, outcome, seconds) {
      if (series !== undefined) return record(series, channel, operation, outcome, seconds);
      pending.push([channel, operation, outcome, seconds]);
      if (pending.length >= PENDING_LIMIT) build();
    },
  };
  deferred.set(metrics, {
    setOperations(count) {
      if (series === undefined) operations = count;
      else series.registeredOperations.set(count);
    },
    whenBuilt(define) {
      if (series === undefined) definers.push(define);
      else define(loadPromClient(), series.registry);
    },
  });
  return metrics;
}

function record(series: Series, channel: string, operation: string, outcome: Outcome, seconds: number): void {
  series.requests.inc({ channel, operation, outcome });
  series.duration.observe({ channel, operation }, seconds);
}

function buildSeries(prom: PromClient, defaultMetrics: boolean): Series {
  const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = prom;
  const registry = new Registry();
  if (defaultMetrics) {
    collectDefaultMetrics({ register: registry });
    // prom-client names three gauges `*_total`, a suffix Prometheus reserves for counters, so
    // `promtool check metrics` fails on them (prom-client#283). The per-type gauges
    // (`nodejs_active_handles{type}`, ...) carry the same numbers: sum them for the total.
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  }
  return {
    registry,
    requests: new Counter({
      name: 'nexus_requests_total',
      help: 'Invocations by channel, operation and outcome.',
      labelNames: ['channel', 'operation', 'outcome'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'nexus_request_duration_seconds',
      help: 'Invocation latency through the whole pipeline.',
      labelNames: ['channel', 'operation'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'nexus_auth_failures_total',
      help: 'Refused credentials by channel and reason.',
      labelNames: ['channel', 'reason'] as const,
      registers: [registry],
    }),
    rateLimitStoreErrors: new Counter({
      name: 'nexus_rate_limit_store_errors_total',
      help: 'Rate-limit store failures (each one allowed or refused per failOpen).',
      registers: [registry],
    }),
    auditSinkErrors: new Counter({
      name: 'nexus_audit_sink_errors_total',
      help: 'Audit records a sink failed to take (the invocation itself is unaffected).',
      registers: [registry],
    }),
    auditRecordsDropped: new Counter({
      name: 'nexus_audit_records_dropped_total',
      help: 'Audit records that were not written, by reason; the invocation itself was still answered unless audit fails closed.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    registeredOperations: new Gauge({
      name: 'nexus_registered_operations',
      help: 'Operations currently registered.',
      registers: [registry],
    }),
  };
}
