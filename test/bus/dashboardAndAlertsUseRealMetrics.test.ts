// Every metric a Grafana panel (deploy/grafana/dashboards) or a Prometheus alert rule
// (deploy/prometheus/alerts.yml) queries is one the code registers, and the bus metrics are
// queried with labels they have: a renamed metric or label would otherwise leave an empty panel
// or an alert that never fires.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createBusMetrics } from '@zhner/bus';
import { Registry, createMetricsRegistry } from '@zhner/kit';

const REPO = path.resolve(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'web' ? [] : sources(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

/** Metric names the code registers: `name: '…'` of every prom-client metric, and the default process metrics. */
async function registeredMetrics(): Promise<{ names: Set<string>; histograms: Set<string> }> {
  const names = new Set<string>();
  const histograms = new Set<string>();
  const files = [...readdirSync(path.join(REPO, 'services')).map((s) => path.join(REPO, 'services', s, 'src')), ...readdirSync(path.join(REPO, 'shared')).map((s) => path.join(REPO, 'shared', s, 'src'))];
  for (const dir of files) {
    let list: string[] = [];
    try {
      list = sources(dir);
    } catch {
      continue;
    }
    for (const f of list) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '([a-z_:][a-z0-9_:]*)'/g)) {
        names.add(m[2]);
        if (m[1] === 'Histogram' || m[1] === 'Summary') histograms.add(m[2]);
      }
    }
  }
  for (const m of await createMetricsRegistry('x').getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') histograms.add(m.name);
  }
  return { names, histograms };
}

function metricsIn(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b((?:zhner|kafka)_[a-z0-9_]+)\b/g)].map((m) => m[1]))];
}

function exists(metric: string, known: { names: Set<string>; histograms: Set<string> }): boolean {
  if (known.names.has(metric)) return true;
  const base = metric.replace(/_(bucket|sum|count)$/, '');
  return base !== metric && known.histograms.has(base);
}

const dashboards = readdirSync(path.join(REPO, 'deploy', 'grafana', 'dashboards')).filter((f) => f.endsWith('.json'));
const alerts = parse(readFileSync(path.join(REPO, 'deploy', 'prometheus', 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };

describe('dashboards and alert rules', () => {
  let known: { names: Set<string>; histograms: Set<string> };
  beforeAll(async () => {
    known = await registeredMetrics();
    expect(known.names.has('kafka_consumergroup_lag')).toBe(true); // the scan itself works
  });

  it.each(dashboards)('every panel of %s queries metrics that exist', (file) => {
    const d = JSON.parse(readFileSync(path.join(REPO, 'deploy', 'grafana', 'dashboards', file), 'utf8')) as { panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }> };
    const problems: string[] = [];
    for (const p of d.panels.filter((x) => x.type !== 'row')) {
      if (!p.targets?.length) problems.push(`${p.title}: no query`);
      for (const t of p.targets ?? []) {
        const ms = metricsIn(t.expr);
        if (ms.length === 0) problems.push(`${p.title}: no platform metric in ${t.expr}`);
        for (const m of ms) if (!exists(m, known)) problems.push(`${p.title}: ${m} is not registered anywhere`);
      }
    }
    expect(problems).toEqual([]);
    // the lag panel sits beside throughput, in the first row
    const lag = d.panels.find((p) => (p.targets ?? []).some((t) => t.expr.includes('kafka_consumergroup_lag')))! as unknown as { gridPos: { y: number } };
    expect(lag.gridPos.y).toBe(1);
  });

  it('every alert rule queries metrics that exist', () => {
    const rules = alerts.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(0);
    const problems = rules.flatMap((r) => metricsIn(r.expr).filter((m) => !exists(m, known)).map((m) => `${r.alert}: ${m}`));
    expect(problems).toEqual([]);
  });

  it('queries the bus metrics by labels they have', async () => {
    const registry = new Registry();
    createBusMetrics(registry);
    const labelsOf = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, new Set(['service', 'le', ...(((registry.getSingleMetric(m.name) as unknown as { labelNames?: string[] })?.labelNames) ?? [])])]));
    const exprs = [
      ...dashboards.flatMap((f) => (JSON.parse(readFileSync(path.join(REPO, 'deploy', 'grafana', 'dashboards', f), 'utf8')).panels as Array<{ targets?: Array<{ expr: string }> }>).flatMap((p) => (p.targets ?? []).map((t) => t.expr))),
      ...alerts.groups.flatMap((g) => g.rules.map((r) => r.expr)),
    ];
    const problems: string[] = [];
    for (const e of exprs) {
      for (const m of metricsIn(e)) {
        const base = m.replace(/_(bucket|sum|count)$/, '');
        const labels = labelsOf.get(base);
        if (!labels) continue; // not a bus metric
        // label matchers right after the metric, and `by (...)` of the aggregation around it
        const used = [...(new RegExp(`${m}\\{([^}]*)\\}`).exec(e)?.[1].matchAll(/([a-z_]+)\s*[=!~]/g) ?? [])].map((x) => x[1]);
        const by = new RegExp(`by \\(([^)]*)\\) \\((?:rate|increase)?\\(?${m}\\b`).exec(e)?.[1].split(',').map((s) => s.trim()) ?? [];
        for (const l of [...used, ...by]) if (!labels.has(l)) problems.push(`${m} has no label ${l} (in ${e})`);
      }
    }
    expect(problems).toEqual([]);
  });
});
