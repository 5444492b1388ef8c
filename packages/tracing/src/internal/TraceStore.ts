import { generateTraceId } from '../ids';
import type { RecordingSpan } from './spans';

/**
 * The finished spans of one trace in this process. Spans of a trace started
 * here share the record by reference, so storing a span needs no lookup.
 */
/** Shared by records with no span yet, so a record costs no array until it stores one. */
const NO_SPANS: RecordingSpan[] = Object.freeze([]) as unknown as RecordingSpan[];

/** Appends a span to a record (replacing the shared empty array on the first one). */
function pushSpan(record: TraceRecord, span: RecordingSpan): void {
  if (record.spans === NO_SPANS) record.spans = [span];
  else record.spans.push(span);
}

export class TraceRecord {
  spans: RecordingSpan[] = NO_SPANS;
  /** Whether the record is in the store's FIFO. */
  stored = false;
  /** Set when evicted; spans finishing later start a fresh record. */
  evicted = false;
  /** Whether the store's trace-id index points at this record. */
  indexed = false;
  /** When the record was stored (first finished span), epoch ms. */
  storedAt = 0;
  hasError = false;
  droppedSpans = 0;
  /** A record this one was merged into (same trace id stored twice). */
  mergedInto: TraceRecord | undefined = undefined;
  /** `undefined` for a new local root: the id is drawn when first read. */
  constructor(private id: string | undefined) {}

  get traceId(): string {
    return (this.id ??= generateTraceId());
  }
}

export interface TraceStoreLimits {
  readonly maxTraces: number;
  readonly maxSpansPerTrace: number;
  readonly retentionMs: number;
}

/** What a span being stored did: kept, or dropped because its trace was full. */
export type StoreOutcome = 'stored' | 'trace-full';

/**
 * Bounded storage of finished spans: at most `maxTraces` traces, each with at
 * most `maxSpansPerTrace` spans, each kept for `retentionMs` after it was
 * stored. The oldest trace is evicted first. Insertion order is a FIFO array
 * with a moving head (compacted now and then), so eviction is O(1) and never
 * walks a Map's deleted entries. The trace-id index is built lazily, when a
 * lookup needs it, so storing a span on the hot path hashes nothing.
 */
export class TraceStore {
  private fifo: TraceRecord[] = [];
  private head = 0;
  /** fifo[head .. indexedTo) are in the index (or merged husks). */
  private indexedTo = 0;
  private readonly index = new Map<string, TraceRecord>();
  evictedTraces = 0;
  droppedSpans = 0;
  storedSpans = 0;

  constructor(private readonly limits: TraceStoreLimits) {}

  get traceCount(): number {
    return this.fifo.length - this.head;
  }

  /** The stored record of a trace, if any. */
  get(traceId: string): TraceRecord | undefined {
    if (this.indexedTo < this.fifo.length) this.indexPending();
    return this.index.get(traceId);
  }

  /** Stores a finished span into its record. */
  add(span: RecordingSpan, now: number): StoreOutcome {
    let record = span.record;
    while (record.mergedInto !== undefined) record = record.mergedInto;
    if (record.evicted) {
      // The trace aged out while this span ran: keep the span as a new trace,
      // and let its later siblings follow to the same fresh record.
      const fresh = new TraceRecord(record.traceId);
      record.mergedInto = fresh;
      record = fresh;
    }
    if (!record.stored) {
      this.pruneExpired(now);
      while (this.traceCount >= this.limits.maxTraces) this.evictOldest();
      record.stored = true;
      record.storedAt = now;
      this.fifo.push(record);
    }
    if (record.spans.length >= this.limits.maxSpansPerTrace) {
      record.droppedSpans++;
      this.droppedSpans++;
      return 'trace-full';
    }
    pushSpan(record, span);
    if (span.status === 'error') record.hasError = true;
    this.storedSpans++;
    return 'stored';
  }

  /** Evicts traces stored longer ago than the retention. */
  pruneExpired(now: number): void {
    const cutoff = now - this.limits.retentionMs;
    while (this.head < this.fifo.length && this.fifo[this.head]!.storedAt < cutoff) this.evictOldest();
  }

  /** Stored records with spans, newest first (merged husks skipped). */
  *newestFirst(): IterableIterator<TraceRecord> {
    if (this.indexedTo < this.fifo.length) this.indexPending();
    for (let i = this.fifo.length - 1; i >= this.head; i--) {
      const record = this.fifo[i]!;
      if (record.mergedInto === undefined) yield record;
    }
  }

  clear(): void {
    while (this.traceCount > 0) this.evictOldest();
  }

  /**
   * Indexes records stored since the last lookup. Two records of one trace
   * (a trace that entered this process twice while neither was stored) are
   * merged into the older one; the newer stays in the FIFO as an empty husk.
   */
  private indexPending(): void {
    for (let i = Math.max(this.indexedTo, this.head); i < this.fifo.length; i++) {
      const record = this.fifo[i]!;
      if (record.mergedInto !== undefined || record.indexed) continue;
      const existing = this.index.get(record.traceId);
      if (existing !== undefined && existing !== record) {
        for (const span of record.spans) {
          if (existing.spans.length >= this.limits.maxSpansPerTrace) {
            existing.droppedSpans++;
            this.droppedSpans++;
            this.storedSpans--;
          } else pushSpan(existing, span);
        }
        existing.hasError ||= record.hasError;
        record.spans = NO_SPANS;
        record.mergedInto = existing;
      } else {
        this.index.set(record.traceId, record);
        record.indexed = true;
      }
    }
    this.indexedTo = this.fifo.length;
  }

  private evictOldest(): void {
    const record = this.fifo[this.head];
    if (record === undefined) return;
    this.fifo[this.head] = undefined as unknown as TraceRecord;
    this.head++;
    record.evicted = true;
    record.stored = false;
    this.storedSpans -= record.spans.length;
    if (record.indexed) {
      this.index.delete(record.traceId);
      record.indexed = false;
    }
    if (record.mergedInto === undefined) this.evictedTraces++;
    // Compact once the dead prefix is as long as the live part.
    if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.head);
      this.indexedTo = Math.max(0, this.indexedTo - this.head);
      this.head = 0;
    }
  }
}
