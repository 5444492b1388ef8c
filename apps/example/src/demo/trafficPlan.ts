/** What the demo traffic looks like during one stretch of time. */
export interface DemoPhase {
  readonly name: 'warm-up' | 'steady' | 'latency-spike' | 'outage' | 'recovery';
  /** Requests per second the generator sends. */
  readonly ratePerSecond: number;
  /** Share of requests that get `spikeMs` of extra latency. */
  readonly spikeShare: number;
  /** Extra latency range for spiked requests, ms. */
  readonly spikeMs: readonly [number, number];
  /** Share of requests that fail as an upstream outage. */
  readonly failureShare: number;
  /** Share of requests that send a broken image (a client error). */
  readonly badInputShare: number;
}

interface PhaseSpan extends DemoPhase {
  readonly untilSecond: number;
}

/**
 * One two-minute cycle, repeated: a normal start that gives the anomaly
 * detector a baseline, a latency spike at 20 s (an anomaly), an outage at 30 s
 * (a firing alert and SLO budget burn), then recovery so alerts resolve.
 */
const CYCLE: readonly PhaseSpan[] = [
  {
    name: 'warm-up',
    untilSecond: 12,
    ratePerSecond: 8,
    spikeShare: 0,
    spikeMs: [0, 0],
    failureShare: 0,
    badInputShare: 0.02,
  },
  {
    name: 'steady',
    untilSecond: 20,
    ratePerSecond: 10,
    spikeShare: 0.02,
    spikeMs: [40, 80],
    failureShare: 0.005,
    badInputShare: 0.02,
  },
  {
    name: 'latency-spike',
    untilSecond: 30,
    ratePerSecond: 10,
    spikeShare: 0.7,
    spikeMs: [300, 700],
    failureShare: 0.01,
    badInputShare: 0.02,
  },
  {
    name: 'outage',
    untilSecond: 50,
    ratePerSecond: 10,
    spikeShare: 0.1,
    spikeMs: [100, 300],
    failureShare: 0.45,
    badInputShare: 0.02,
  },
  {
    name: 'recovery',
    untilSecond: 120,
    ratePerSecond: 8,
    spikeShare: 0.02,
    spikeMs: [40, 80],
    failureShare: 0.005,
    badInputShare: 0.02,
  },
];

export const DEMO_CYCLE_MS = CYCLE[CYCLE.length - 1]!.untilSecond * 1000;

/** The phase in force `elapsedMs` after the demo started (the cycle repeats). */
export function phaseAt(elapsedMs: number): DemoPhase {
  const second = (((Math.max(0, elapsedMs) % DEMO_CYCLE_MS) + DEMO_CYCLE_MS) % DEMO_CYCLE_MS) / 1000;
  const span = CYCLE.find((p) => second < p.untilSecond) ?? CYCLE[CYCLE.length - 1]!;
  const { untilSecond: _until, ...phase } = span;
  return phase;
}
