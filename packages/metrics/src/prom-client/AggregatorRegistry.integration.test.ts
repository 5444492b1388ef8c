import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./testing/clusterFixture.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

function runCluster(mode: 'ours' | 'mixed'): { first: string; afterExit: string; none: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', fixture, mode], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`cluster fixture failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as { first: string; afterExit: string; none: string };
}

describe('AggregatorRegistry with real node:cluster workers', () => {
  it("aggregates the workers by each metric's aggregator; an exited worker is not waited for", () => {
    const { first, afterExit, none } = runCluster('ours');
    expect(first).toContain('requests_total{route="/"} 21\n');
    expect(first).toContain('connections 15\n');
    expect(first).not.toContain('worker_start');
    expect(first).toContain('version_info{v="1"} 1\n');
    expect(first).toContain('latency_seconds_bucket{le="0.1"} 2\n');
    expect(first).toContain('latency_seconds_bucket{le="1"} 3\n');
    expect(first).toContain('latency_seconds_bucket{le="+Inf"} 4\n');
    expect(first).toContain('latency_seconds_count 4\n');
    expect(first).toContain('latency_seconds_sum 5.6');
    expect(afterExit).toContain('requests_total{route="/"} 10\n');
    expect(none).toBe('');
  });

  it("speaks prom-client's message format: a worker running prom-client itself is aggregated too", () => {
    const { first } = runCluster('mixed');
    expect(first).toContain('requests_total{route="/"} 21\n');
    expect(first).toContain('connections 15\n');
    expect(first).toContain('latency_seconds_count 4\n');
  });
});
