/**
 * @obs/testing: helpers for the workspace's own tests (a private package, never published).
 * Real servers and tools (promtool, Prometheus, Alertmanager, Chromium) are started on
 * 127.0.0.1 by the test that needs them; under CI=true a missing binary fails the test.
 * The example app's fleet (`pnpm fleet`) starts its Prometheus and Alertmanagers with them too.
 */
export { findBinary, requireBinary, freePort, startServer } from './servers';
export type { RunningServer, StartServerOptions } from './servers';
export { IDLE_PROMETHEUS_CONFIG, NULL_ALERTMANAGER_CONFIG, startAlertmanager, startPrometheus } from './promServers';
export type { AlertmanagerOptions, PrometheusOptions, RunningPromServer } from './promServers';
export { promtoolCheckMetrics } from './promtool';
export type { PromtoolVerdict } from './promtool';
export { virtualTime, settle } from './virtualTime';
export { CHROMIUM_ARGS, findChromium, chromiumLaunchOptions } from './chromium';
