/**
 * Per-series numeric state lives in shared Float64Array chunks rather than object
 * fields: V8 boxes every double field in its own heap number, while a chunk slot
 * costs exactly 8 bytes per value and is updated in place.
 */
export const VALUE = 0; // counter total, gauge value (NaN while unset), histogram last observation
export const STEP_END = 1; // end (exclusive, epoch ms) of the current retention step
export const STEP_COUNT = 2;
export const STEP_SUM = 3;
export const STEP_MIN = 4;
export const STEP_MAX = 5;
export const STEP_LAST = 6;
export const LAST_TS = 7; // time of the last write (or creation), for TTL and getLatest
export const STRIDE = 8;

const CHUNK_SERIES = 256;

export class SlotAllocator {
  private chunk = new Float64Array(CHUNK_SERIES * STRIDE);
  private next = 0;
  private readonly freeData: Float64Array[] = [];
  private readonly freeOffsets: number[] = [];
  /** Set by {@link allocate}: the chunk and offset of the new slot. */
  data: Float64Array = this.chunk;
  offset = 0;

  allocate(): void {
    const data = this.freeData.pop();
    if (data !== undefined) {
      this.data = data;
      this.offset = this.freeOffsets.pop()!;
      data.fill(0, this.offset, this.offset + STRIDE);
      return;
    }
    if (this.next === CHUNK_SERIES * STRIDE) {
      this.chunk = new Float64Array(CHUNK_SERIES * STRIDE);
      this.next = 0;
    }
    this.data = this.chunk;
    this.offset = this.next;
    this.next += STRIDE;
  }

  release(data: Float64Array, offset: number): void {
    this.freeData.push(data);
    this.freeOffsets.push(offset);
  }
}
