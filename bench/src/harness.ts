/**
 * A small side-by-side benchmark harness: every case of a group runs in the same
 * process, in rotated order over several rounds, and the median ops/s of each is
 * reported with its ratio to the group's baseline (a peer library).
 */
export interface BenchCase {
  name: string;
  /** Runs the operation `n` times; return something so the JIT cannot drop the work. */
  run(n: number): unknown;
}

export interface GroupResult {
  group: string;
  baseline: string;
  rows: Array<{ name: string; opsPerSec: number; ratio: number }>;
}

let sink: unknown;

function timeOnce(c: BenchCase, n: number): number {
  const start = process.hrtime.bigint();
  sink = c.run(n);
  const ns = Number(process.hrtime.bigint() - start);
  return (n / ns) * 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs a group of cases. `baseline` names the case ratios are taken against.
 * Each round runs every case for about `roundMs`; the order rotates each round.
 */
export function benchGroup(
  group: string,
  baseline: string,
  cases: BenchCase[],
  { rounds = 7, roundMs = 150 } = {},
): GroupResult {
  // Calibrate n per case so a round takes about roundMs; this also warms the JIT.
  const sizes = cases.map((c) => {
    let n = 1000;
    for (;;) {
      const start = performance.now();
      c.run(n);
      const elapsed = performance.now() - start;
      if (elapsed > roundMs / 4 || n > 1e9) return Math.max(1, Math.round((n * roundMs) / Math.max(elapsed, 0.001)));
      n *= 4;
    }
  });
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + round) % cases.length;
      samples[i]!.push(timeOnce(cases[i]!, sizes[i]!));
    }
  }
  const medians = samples.map(median);
  const baseIndex = cases.findIndex((c) => c.name === baseline);
  const base = medians[baseIndex >= 0 ? baseIndex : 0]!;
  const rows = cases.map((c, i) => ({ name: c.name, opsPerSec: medians[i]!, ratio: medians[i]! / base }));
  void sink;
  return { group, baseline, rows };
}

/** Formats ops/s compactly: 7.7M, 412k. */
export function formatOps(ops: number): string {
  if (ops >= 1e6) return (ops / 1e6).toFixed(2) + 'M';
  if (ops >= 1e3) return (ops / 1e3).toFixed(1) + 'k';
  return ops.toFixed(1);
}

/** A markdown table of a group's results. */
export function formatGroup(result: GroupResult): string {
  const lines = [`### ${result.group}`, '', `| case | ops/s | vs ${result.baseline} |`, '| --- | ---: | ---: |'];
  for (const row of result.rows) lines.push(`| ${row.name} | ${formatOps(row.opsPerSec)} | ${row.ratio.toFixed(2)}x |`);
  return lines.join('\n');
}

/** Heap bytes used after a full GC (run node with --expose-gc for exact figures). */
export function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/** Measures the retained heap of what `build` creates, per item. */
export function heapPerItem(count: number, build: (count: number) => unknown): number {
  const before = heapUsed();
  const kept = build(count);
  const after = heapUsed();
  void kept;
  sink = kept;
  return (after - before) / count;
}
