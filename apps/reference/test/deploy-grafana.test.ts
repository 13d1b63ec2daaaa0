import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { Nexus, silentLogger } from '@nexus/core';
import { promqlReferences } from './support/promql.js';
import { promtoolAvailable } from './support/promtool.js';
import { underCI } from './support/ci.js';

const deployDir = resolve(dirname(fileURLToPath(import.meta.url)), '../deploy');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- dashboards are untyped JSON
type Manifest = Record<string, any>;

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(join(deployDir, 'grafana/nexus-dashboard.json'), 'utf8')) as Manifest;
  const panels: Manifest[] = dashboard.panels.filter((p: Manifest) => p.type !== 'row');
  const exprs: string[] = panels.flatMap((p) => p.targets.map((t: Manifest) => t.expr as string));
  // Template queries are label_values(<selector>, <label>): the selector is PromQL, the label a label.
  const variableQueries = dashboard.templating.list
    .filter((v: Manifest) => v.type === 'query')
    .map((v: Manifest) => /^label_values\((.*),\s*(\w+)\)$/.exec(v.definition)!);

  // The series a monitored app really exposes: the documented nexus_* series plus prom-client's process defaults.
  const app = new Nexus({ enableMonitoring: true, logger: silentLogger });
  const exposed = new Map<string, { type: string; labels: Set<string> }>();
  const exposedReady = app.metrics.registry.getMetricsAsJSON().then((metrics) => {
    for (const metric of metrics) {
      const labels = new Set(metric.values.flatMap((v) => Object.keys(v.labels)));
      for (const known of ['channel', 'operation', 'outcome', 'reason']) if (metric.name.startsWith('nexus_')) labels.add(known);
      const names = String(metric.type) === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => metric.name + s) : [metric.name];
      for (const name of names) exposed.set(name, { type: String(metric.type), labels });
    }
  });
  const NEXUS_SERIES: Record<string, string[]> = {
    nexus_requests_total: ['channel', 'operation', 'outcome'],
    nexus_request_duration_seconds_bucket: ['channel', 'operation', 'le'],
    nexus_auth_failures_total: ['channel', 'reason'],
    nexus_rate_limit_store_errors_total: [],
    nexus_audit_records_dropped_total: ['reason'],
    nexus_registered_operations: [],
  };
  const allowed = async (name: string): Promise<boolean> => {
    await exposedReady;
    if (name.startsWith('nexus_')) return name.replace(/_(sum|count)$/, '_bucket') in NEXUS_SERIES;
    return exposed.has(name);
  };

  it('picks its Prometheus data source from a variable that every panel uses', () => {
    const variable = dashboard.templating.list.find((v: Manifest) => v.type === 'datasource');
    expect(variable).toMatchObject({ name: 'datasource', query: 'prometheus' });
    for (const panel of panels) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets) expect(target.datasource.uid).toBe('${datasource}');
    }
  });

  it('queries only the documented nexus_* series and the process defaults, with labels they carry', async () => {
    await exposedReady;
    for (const name of Object.keys(NEXUS_SERIES)) expect(exposed.has(name)).toBe(true);
    const all = [...exprs, ...variableQueries.map((m: RegExpExecArray) => m[1]!)];
    expect(all.length).toBeGreaterThan(10);
    for (const expr of all) {
      const { metrics, labels } = promqlReferences(expr);
      expect(metrics.length).toBeGreaterThan(0);
      for (const metric of metrics) expect({ expr, metric, allowed: await allowed(metric) }).toEqual({ expr, metric, allowed: true });
      const carried = new Set(['instance', 'job', ...metrics.flatMap((m) => [...(exposed.get(m)?.labels ?? []), ...(NEXUS_SERIES[m] ?? [])])]);
      for (const label of labels) expect({ expr, label, carried: carried.has(label) }).toEqual({ expr, label, carried: true });
    }
  });

  it('shows every documented nexus_* series, latency percentiles, rate-limit rejections and process health', () => {
    const text = exprs.join('\n');
    for (const name of Object.keys(NEXUS_SERIES)) expect(text).toContain(name);
    for (const q of ['0.50', '0.95', '0.99']) expect(text).toContain(`histogram_quantile(${q}, sum by (le) (rate(nexus_request_duration_seconds_bucket`);
    expect(text).toMatch(/sum by \(channel, outcome\) \(rate\(nexus_requests_total/);
    expect(text).toMatch(/sum by \(reason\) \(rate\(nexus_auth_failures_total/);
    expect(text).toMatch(/nexus_requests_total\{[^}]*outcome="rate_limited"/);
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('gives every panel a unit that suits what it plots, a title, and a place of its own', () => {
    const unitOf = (p: Manifest) => p.fieldConfig.defaults.unit as string;
    for (const panel of panels) {
      expect(panel.title).toBeTruthy();
      expect(unitOf(panel)).toBeTruthy();
      const expr = panel.targets.map((t: Manifest) => t.expr).join(' ');
      if (expr.includes('histogram_quantile') || expr.includes('_seconds_sum')) expect(unitOf(panel)).toBe('s');
      if (/memory_bytes|heap_size/.test(expr)) expect(unitOf(panel)).toBe('bytes');
      if (/^sum(?: by \([^)]*\))? \(rate\(nexus_(requests|auth_failures)_total/.test(expr)) expect(unitOf(panel)).toBe('reqps');
    }
    const ids = dashboard.panels.map((p: Manifest) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const boxes = dashboard.panels.map((p: Manifest) => p.gridPos);
    for (const [i, a] of boxes.entries()) {
      expect(a.x + a.w).toBeLessThanOrEqual(24);
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap).toBe(false);
      }
    }
  });

  // promtool parses each expression as a recording rule, with Grafana's variables filled in.
  (promtoolAvailable() || underCI() ? it : it.skip)('has expressions Prometheus parses', () => {
    expect(promtoolAvailable()).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'nexus-dashboard-'));
    try {
      const rules = exprs.map((expr, i) => {
        const filled = expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h').replace(/\$\w+/g, '.*');
        return `      - record: dashboard:expr_${i}\n        expr: ${JSON.stringify(filled)}`;
      });
      writeFileSync(join(dir, 'rules.yml'), `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
      const result = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8', timeout: 15_000 });
      expect(result.stdout + result.stderr).toContain(`SUCCESS: ${exprs.length} rules found`);
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
