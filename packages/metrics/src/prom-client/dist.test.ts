import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The published entry, as users load it: `require` and `import` of '@obs/metrics/prom-client'
// (a package may import itself by name). Needs `pnpm build`, which CI runs before the tests.
const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const built = existsSync(new URL('../../dist/prom-client/index.cjs', import.meta.url));
if (!built && process.env.CI) throw new Error('dist/ is missing: CI builds before testing');

const script = (load: string) => `
  ${load}
  const r = new client.Registry();
  const c = new client.Counter({ name: 'loaded_total', help: 'h', labelNames: ['how'], registers: [r] });
  c.inc({ how: process.argv[1] });
  r.metrics().then((text) => console.log(JSON.stringify({ text, keys: Object.keys(client).sort(), ct: client.register.contentType })));
`;

function run(args: string[], how: string): { text: string; keys: string[]; ct: string } {
  const result = spawnSync(process.execPath, [...args, how], { cwd: packageDir, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as { text: string; keys: string[]; ct: string };
}

describe.skipIf(!built)('the built entry loads with require() and import', () => {
  it('CommonJS: const client = require("@obs/metrics/prom-client")', () => {
    const out = run(['-e', script("const client = require('@obs/metrics/prom-client');")], 'cjs');
    expect(out.text).toBe('# HELP loaded_total h\n# TYPE loaded_total counter\nloaded_total{how="cjs"} 1\n');
    for (const name of [
      'Counter',
      'Gauge',
      'Histogram',
      'Summary',
      'Registry',
      'register',
      'Pushgateway',
      'AggregatorRegistry',
      'collectDefaultMetrics',
      'linearBuckets',
      'exponentialBuckets',
      'aggregators',
      'validateMetricName',
      'prometheusContentType',
      'openMetricsContentType',
      'contentType',
    ]) {
      expect(out.keys).toContain(name);
    }
    expect(out.ct).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('ESM: default import and named imports', () => {
    const named = run(
      ['--input-type=module', '-e', script("import * as client from '@obs/metrics/prom-client';")],
      'esm',
    );
    expect(named.text).toContain('loaded_total{how="esm"} 1');
    const byDefault = run(
      ['--input-type=module', '-e', script("import client from '@obs/metrics/prom-client';")],
      'default',
    );
    expect(byDefault.text).toContain('loaded_total{how="default"} 1');
  });
});
