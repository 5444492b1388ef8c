import type { Series } from './Series';

const schedule: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

/** Receives queued points after the recording calls have returned. */
export interface PointSink {
  point(series: Series, value: number, timestamp: number): void;
  /** `count` points were dropped because the queue was full. */
  dropped(count: number): void;
}

/**
 * The `metrics/point` queue. Recording pushes (series, value, time) only while someone
 * subscribes (the storage's `subscribers`, a plain field the hot path checks); the
 * queue is delivered in one batch on the next macrotask, so a slow subscriber never slows
 * a recording call. Past `capacity` undelivered points the rest are counted, not kept.
 */
export class PointQueue {
  private series: Series[] = [];
  private values: number[] = [];
  private times: number[] = [];
  private droppedPoints = 0;
  private scheduled = false;

  constructor(
    private readonly capacity: number,
    private readonly sink: PointSink,
  ) {}

  push(s: Series, value: number, ts: number): void {
    if (this.series.length >= this.capacity) this.droppedPoints++;
    else {
      this.series.push(s);
      this.values.push(value);
      this.times.push(ts);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      schedule(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const series = this.series;
    const values = this.values;
    const times = this.times;
    const dropped = this.droppedPoints;
    this.series = [];
    this.values = [];
    this.times = [];
    this.droppedPoints = 0;
    for (let i = 0; i < series.length; i++) this.sink.point(series[i]!, values[i]!, times[i]!);
    if (dropped > 0) this.sink.dropped(dropped);
  };
}
