// Child process of promclient.bench.ts: CPU µs per second of an idle process with the
// chosen runtime metrics collection on ("none", "obs" or "prom"), over 3 seconds.
const mode = process.argv[2];
if (mode === 'obs') (await import('@obs/metrics/prom-client')).collectDefaultMetrics();
if (mode === 'collector' || mode === 'collector-base') {
  const { collectRuntimeMetrics, createMetricsCollector } = await import('@obs/metrics');
  const collector = createMetricsCollector();
  if (mode === 'collector') collectRuntimeMetrics(collector);
}
if (mode === 'prom') (await import('prom-client')).default.collectDefaultMetrics();
await new Promise((resolve) => setTimeout(resolve, 200));
const before = process.cpuUsage();
const start = performance.now();
// A little garbage every 100 ms so the GC observers have something to report.
const timer = setInterval(() => {
  const junk = [];
  for (let i = 0; i < 2000; i++) junk.push({ i });
}, 100);
await new Promise((resolve) => setTimeout(resolve, 3000));
clearInterval(timer);
const d = process.cpuUsage(before);
console.log(((d.user + d.system) / ((performance.now() - start) / 1000)).toFixed(0));
process.exit(0);
