/** A source of wall-clock time in epoch milliseconds, injectable so windows can be tested in virtual time. */
export interface Clock {
  now(): number;
}

/** The real clock: `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock whose time is set by hand; for tests and for replaying recorded data. */
export class ManualClock implements Clock {
  constructor(private time = 0) {}
  now(): number {
    return this.time;
  }
  set(time: number): void {
    this.time = time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}
