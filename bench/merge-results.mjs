// Rebuilds BENCHMARKS.md: the hand-kept summary in bench/summary.md followed by
// every suite's recorded results (bench/results/<suite>.md), headings demoted one level.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const here = new URL('.', import.meta.url);
const summary = readFileSync(new URL('summary.md', here), 'utf8').trimEnd();
const order = ['metrics', 'tracing', 'slo', 'anomaly', 'hub', 'vision'];
const files = readdirSync(new URL('results/', here))
  .filter((f) => f.endsWith('.md'))
  .map((f) => f.slice(0, -3))
  .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
const sections = files.map((name) =>
  readFileSync(new URL(`results/${name}.md`, here), 'utf8')
    .trimEnd()
    .replace(/^(#+) /gm, (_, hashes) => `${hashes}# `),
);
writeFileSync(new URL('../BENCHMARKS.md', here), [summary, ...sections].join('\n\n') + '\n');
console.log(`BENCHMARKS.md: summary + ${files.join(', ')}`);
