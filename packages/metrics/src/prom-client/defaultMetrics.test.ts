import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as ours from './index';

const require = createRequire(import.meta.url);
const theirs = require('prom-client') as typeof ours;

interface Shape {
  name: string;
  type: string;
  help: string;
  aggregator: string;
  labelNames: string[];
}

async function shapes(c: typeof ours, config: Record<string, unknown> = {}): Promise<Shape[]> {
  const register = new c.Registry();
  c.collectDefaultMetrics({ register, ...config });
  const json = await register.getMetricsAsJSON();
  return json
    .map((m) => ({
      name: m.name,
      type: m.type as string,
      help: m.help,
      aggregator: m.aggregator,
      labelNames: [...new Set(m.values.flatMap((v) => Object.keys(v.labels ?? {})))].filter((n) => n !== 'le').sort(),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('collectDefaultMetrics (prom-client API)', () => {
  it("registers prom-client's metrics: same names, types, help, aggregators and labels", async () => {
    const [a, b] = await Promise.all([shapes(ours), shapes(theirs)]);
    // Label sets that depend on the moment (handle types, GC kinds seen so far) are compared by name only.
    const strip = (s: Shape[]) => s.map((m) => ({ ...m, labelNames: m.labelNames.length > 0 ? m.labelNames : [] }));
    expect(strip(a).map((m) => m.name)).toEqual(strip(b).map((m) => m.name));
    for (const [i, m] of a.entries()) {
      const p = b[i]!;
      expect({ name: m.name, type: m.type, help: m.help, aggregator: m.aggregator }).toEqual({
        name: p.name,
        type: p.type,
        help: p.help,
        aggregator: p.aggregator,
      });
      if (m.labelNames.length > 0 && p.labelNames.length > 0) expect(m.labelNames, m.name).toEqual(p.labelNames);
    }
    expect(ours.collectDefaultMetrics.metricsList).toEqual(theirs.collectDefaultMetrics.metricsList);
  });

  it('honours prefix and static labels like prom-client', async () => {
    const config = { prefix: 'svc_', labels: { service: 'api' } };
    const [a, b] = await Promise.all([shapes(ours, config), shapes(theirs, config)]);
    expect(a.map((m) => m.name)).toEqual(b.map((m) => m.name));
    const heapA = a.find((m) => m.name === 'svc_nodejs_heap_space_size_used_bytes')!;
    expect(heapA.labelNames).toEqual(['service', 'space']);
    const text = await (async () => {
      const register = new ours.Registry();
      ours.collectDefaultMetrics({ register, ...config });
      return register.metrics();
    })();
    expect(text).toMatch(/svc_process_cpu_seconds_total\{service="api"\} [\d.e-]+/);
    expect(text).toMatch(
      /svc_nodejs_version_info\{version="v[\d.]+",major="\d+",minor="\d+",patch="\d+",service="api"\} 1/,
    );
  });

  it('twice on one registry throws, as prom-client does', () => {
    const register = new ours.Registry();
    ours.collectDefaultMetrics({ register });
    expect(() => ours.collectDefaultMetrics({ register })).toThrow(
      'A metric with the name process_cpu_user_seconds_total has already been registered.',
    );
  });

  it('values are live: CPU grows, heap is positive', async () => {
    const register = new ours.Registry();
    ours.collectDefaultMetrics({ register });
    const read = async (name: string) =>
      (await register.getMetricsAsJSON()).find((m) => m.name === name)!.values[0]!.value;
    const cpu1 = await read('process_cpu_seconds_total');
    const until = performance.now() + 30;
    while (performance.now() < until) {
      // spend CPU
    }
    expect(await read('process_cpu_seconds_total')).toBeGreaterThan(cpu1);
    expect(await read('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });
});
