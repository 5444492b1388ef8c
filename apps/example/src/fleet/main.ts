#!/usr/bin/env node
import { startFleet } from './startFleet';

/**
 * `pnpm fleet`: three example apps with demo traffic, a Prometheus scraping them with the
 * rules @obs/slo generates for their SLOs, and two clustered Alertmanagers, all on
 * 127.0.0.1. Prints the URLs; Ctrl-C (SIGINT) or SIGTERM stops everything.
 */
async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(line + '\n');
  log('starting the fleet (three apps, two Alertmanagers, Prometheus)...');
  const fleet = await startFleet({ log });
  if (fleet.skippedSLOs.length > 0)
    log(`SLOs without Prometheus rules (no metric behind them): ${fleet.skippedSLOs.join(', ')}`);
  log('');
  log(`Prometheus alerts   ${fleet.prometheus.url}/alerts`);
  log(`Prometheus targets  ${fleet.prometheus.url}/targets`);
  for (const am of fleet.alertmanagers) log(`Alertmanager        ${am.url}/#/alerts`);
  for (const app of fleet.apps) log(`app dashboard       ${app.url}/`);
  log('SLO rules run 60 times faster than real time: the demo outage (30-50 s into each');
  log('two-minute cycle) fires the page alert within a minute. Ctrl-C stops everything.');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the fleet`);
    fleet.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stopping failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // A server that dies on its own is reported; the rest keep running.
  for (const p of [...fleet.apps, fleet.prometheus, ...fleet.alertmanagers])
    void p.exited.then(() => {
      if (!stopping) process.stderr.write(`${p.name} exited:\n${p.output().slice(-2000)}\n`);
    });
}

main().catch((error: unknown) => {
  process.stderr.write(`fleet: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
