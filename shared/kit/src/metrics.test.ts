import { createMetricsRegistry } from './metrics';

describe('createMetricsRegistry', () => {
  it('follows the Prometheus naming rules promtool checks: only counters end in _total', async () => {
    const text = await createMetricsRegistry('t').metrics();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name, type }));
    expect(types.length).toBeGreaterThan(10);
    expect(types.filter((t) => t.type !== 'counter' && t.name.endsWith('_total'))).toEqual([]);
    expect(types.map((t) => t.name)).toContain('zhner_nodejs_active_resources');
    expect(text).toMatch(/^zhner_nodejs_active_resources\{type="[^"]+",service="t"\} \d+$/m);
  });
});
