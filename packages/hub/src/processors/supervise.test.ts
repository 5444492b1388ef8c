import { map, Subject, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { supervise, type ProcessorFailure } from './supervise';

describe('supervise', () => {
  it('reports an error and resubscribes, so later values still flow', () => {
    const source = new Subject<number>();
    const failures: ProcessorFailure[] = [];
    const seen: number[] = [];
    supervise(
      'inverter',
      () =>
        source.pipe(
          map((v) => {
            if (v === 0) throw new RangeError('division by zero');
            return 1 / v;
          }),
        ),
      (f) => failures.push(f),
    ).subscribe((v) => seen.push(v));
    source.next(2);
    source.next(0);
    source.next(4);
    expect(seen).toEqual([0.5, 0.25]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ processor: 'inverter', restarts: 1, gaveUp: false });
    expect(String(failures[0]?.error)).toContain('division by zero');
  });

  it('gives up on a processor that fails again and again without doing any work', () => {
    const failures: ProcessorFailure[] = [];
    let done = false;
    supervise(
      'broken',
      () => throwError(() => new Error('always')),
      (f) => failures.push(f),
      3,
    ).subscribe({ complete: () => (done = true) });
    expect(failures.map((f) => f.gaveUp)).toEqual([false, false, false, true]);
    expect(done).toBe(true);
  });

  it('resets the give-up count whenever the processor does work', () => {
    const source = new Subject<number>();
    const failures: ProcessorFailure[] = [];
    supervise(
      'flaky',
      () =>
        source.pipe(
          map((v) => {
            if (v < 0) throw new Error('negative');
            return v;
          }),
        ),
      (f) => failures.push(f),
      1,
    ).subscribe();
    for (let i = 0; i < 5; i++) {
      source.next(1);
      source.next(-1);
    }
    expect(failures).toHaveLength(5);
    expect(failures.every((f) => !f.gaveUp)).toBe(true);
  });
});
