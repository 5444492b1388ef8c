/**
 * Per-series numeric state lives in Float64Arrays rather than object fields: V8
 * boxes every double field in its own heap number, while an array slot costs exactly
 * 8 bytes and is updated in place. A new series takes a 7-value slot in a shared
 * chunk; once it has retention history it moves to a private array that holds the
 * same 7 values followed by its history ring (see history.ts), so a series object
 * needs only `data` and `o`.
 */
export const VALUE = 0; // counter total, gauge value (NaN while unset), histogram's last observation; also the last point value
export const STEP_END = 1; // end (exclusive, epoch ms) of the current retention step
export const STEP_COUNT = 2;
export const STEP_SUM = 3;
export const STEP_MIN = 4;
export const STEP_MAX = 5;
export const LAST_TS = 6; // time of the last write (or creation), for TTL and getLatest
export const STRIDE = 7;

const CHUNK_SERIES = 256;
/** Length of every shared chunk; a private array never has this length (see history.ts). */
export const CHUNK_LENGTH = CHUNK_SERIES * STRIDE;

export class SlotAllocator {
  private chunk = new Float64Array(CHUNK_LENGTH);
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
    if (this.next === CHUNK_LENGTH) {
      this.chunk = new Float64Array(CHUNK_LENGTH);
      this.next = 0;
    }
    this.data = this.chunk;
    this.offset = this.next;
    this.next += STRIDE;
  }

  /** Returns a slot; private arrays are simply dropped. */
  release(data: Float64Array, offset: number): void {
    if (data.length !== CHUNK_LENGTH) return;
    this.freeData.push(data);
    this.freeOffsets.push(offset);
  }
}
