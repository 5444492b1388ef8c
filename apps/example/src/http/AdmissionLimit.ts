/**
 * Counts work admitted at once and refuses more than `limit`: `tryAcquire()`
 * returns a release function, or undefined when full. Releasing twice is harmless.
 */
export class AdmissionLimit {
  private active = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  tryAcquire(): (() => void) | undefined {
    if (this.active >= this.limit) return undefined;
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
    };
  }
}
