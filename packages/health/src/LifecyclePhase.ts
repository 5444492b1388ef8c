/**
 * Where a service is in its life, as Kubernetes sees it:
 *
 * - `starting`: not started yet (startup probe and readiness fail);
 * - `ready`: started and taking traffic;
 * - `draining`: shutdown asked for: readiness fails at once, the service still serves
 *   while load balancers notice (`shutdownDelayMs`), then stops taking new work and
 *   waits for the work in flight (beacons and drain handlers);
 * - `stopping`: the shutdown handlers run, in order;
 * - `stopped`: done.
 */
export const LifecyclePhase = {
  STARTING: 'starting',
  READY: 'ready',
  DRAINING: 'draining',
  STOPPING: 'stopping',
  STOPPED: 'stopped',
} as const;

export type LifecyclePhase = (typeof LifecyclePhase)[keyof typeof LifecyclePhase];
