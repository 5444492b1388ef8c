/**
 * node:cluster fixture of AggregatorRegistry.integration.test.ts, run with `node --import tsx`.
 * The primary forks workers (mode "ours": all use this module; "mixed": the second runs the
 * real prom-client, to show the message format is the same), asks for the cluster's metrics
 * and prints them as JSON on stdout.
 */
import cluster from 'node:cluster';
import { createRequire } from 'node:module';
import * as ours from '../index';

const mode = process.argv[2] ?? 'ours';
const require = createRequire(import.meta.url);

if (cluster.isPrimary) {
  const aggregator = new ours.AggregatorRegistry();
  const workers = [cluster.fork({ WORKER_INDEX: '0', MODE: mode }), cluster.fork({ WORKER_INDEX: '1', MODE: mode })];
  let ready = 0;
  cluster.on('message', async (_worker, message: unknown) => {
    if (message !== 'ready' || ++ready < workers.length) return;
    const first = await aggregator.clusterMetrics();
    // A worker that dies is no longer waited for.
    workers[1]!.kill();
    await new Promise((resolve) => workers[1]!.once('exit', resolve));
    const afterExit = await aggregator.clusterMetrics();
    workers[0]!.kill();
    await new Promise((resolve) => workers[0]!.once('exit', resolve));
    const none = await aggregator.clusterMetrics();
    process.stdout.write(JSON.stringify({ first, afterExit, none }));
    process.exit(0);
  });
} else {
  const index = Number(process.env.WORKER_INDEX);
  const client: typeof ours =
    process.env.MODE === 'mixed' && index === 1 ? (require('prom-client') as typeof ours) : ours;
  // Workers of prom-client's users register with the global registry; AggregatorRegistry answers for it.
  new client.AggregatorRegistry();
  new client.Counter({ name: 'requests_total', help: 'Requests.', labelNames: ['route'] }).inc(
    { route: '/' },
    10 + index,
  );
  new client.Gauge({ name: 'connections', help: 'Open connections.', aggregator: 'max' }).set(5 + index * 10);
  new client.Gauge({ name: 'worker_start', help: 'Start.', aggregator: 'omit' }).set(1);
  new client.Gauge({ name: 'version_info', help: 'Version.', labelNames: ['v'], aggregator: 'first' }).set(
    { v: '1' },
    1,
  );
  const h = new client.Histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 1] });
  h.observe(0.05);
  h.observe(index === 0 ? 0.5 : 5);
  process.send!('ready');
}
