/**
 * @obs/testing: helpers for the workspace's own tests (a private package, never published).
 * Real servers and tools (promtool, Prometheus, Alertmanager, Chromium) are started on
 * 127.0.0.1 by the test that needs them; under CI=true a missing binary fails the test.
 */
export { findBinary, requireBinary, freePort, startServer } from './servers';
export type { RunningServer } from './servers';
export { virtualTime, settle } from './virtualTime';
export { CHROMIUM_ARGS, findChromium, chromiumLaunchOptions } from './chromium';
