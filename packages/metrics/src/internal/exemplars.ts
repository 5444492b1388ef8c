import type { Exemplar } from '../MetricsProducer';
import { slotOfValue } from './classicCounts';
import type { HistogramSeries, Series } from './Series';

/** The trace context an exemplar points to (W3C: 32 and 16 lowercase hex digits). */
export interface ExemplarContext {
  readonly traceId: string;
  readonly spanId: string;
}

/**
 * Returns the sampled span active where a value is being recorded, or undefined. Called on
 * every histogram observation and counter increment while set, so it must be cheap when
 * no span is active (e.g. `() => traces.getActiveSpan()?.context` filtered to sampled spans).
 */
export type ExemplarSource = () => ExemplarContext | undefined;

const MAX_ID_LENGTH = 64;

/**
 * The latest exemplar of each slot (a histogram's classic buckets, or a counter's one
 * slot), in parallel arrays so that keeping one allocates nothing.
 */
export class ExemplarSlots {
  readonly traceIds: (string | undefined)[];
  readonly spanIds: (string | undefined)[];
  readonly values: Float64Array;
  readonly times: Float64Array;

  constructor(slots: number) {
    this.traceIds = new Array<string | undefined>(slots).fill(undefined);
    this.spanIds = new Array<string | undefined>(slots).fill(undefined);
    this.values = new Float64Array(slots);
    this.times = new Float64Array(slots);
  }

  set(slot: number, traceId: string, spanId: string, value: number, ts: number): void {
    this.traceIds[slot] = traceId;
    this.spanIds[slot] = spanId;
    this.values[slot] = value;
    this.times[slot] = ts;
  }

  /** Collected form: one entry per slot, undefined where none was kept. */
  collect(): (Exemplar | undefined)[] {
    const out: (Exemplar | undefined)[] = [];
    for (let i = 0; i < this.traceIds.length; i++) {
      const traceId = this.traceIds[i];
      out.push(
        traceId === undefined
          ? undefined
          : {
              labels: { trace_id: traceId, span_id: this.spanIds[i]! },
              value: this.values[i]!,
              timestamp: this.times[i]!,
            },
      );
    }
    return out;
  }
}

/** Counts failures of the exemplar source (a throwing source never breaks recording). */
export interface ExemplarState {
  exemplarSource: ExemplarSource | undefined;
  exemplarErrors: number;
  /** Counter exemplars by series (kept off the series object, which stays small). */
  readonly counterExemplars: Map<Series, ExemplarSlots>;
}

/** Whether the source's context has usable ids (checked only when it returned one). */
function usable(st: ExemplarState, ctx: ExemplarContext): boolean {
  const { traceId, spanId } = ctx;
  if (
    typeof traceId === 'string' &&
    typeof spanId === 'string' &&
    traceId.length <= MAX_ID_LENGTH &&
    spanId.length <= MAX_ID_LENGTH
  )
    return true;
  st.exemplarErrors++;
  return false;
}

/**
 * Keeps `value` (sketch index `index`) as the exemplar of its classic slot if a sampled span
 * is active. The no-span case is one call of the source and one comparison; the rest is out of line.
 */
export function sampleHistogramExemplar(
  st: ExemplarState,
  s: HistogramSeries,
  index: number,
  value: number,
  now: number,
): void {
  let ctx: ExemplarContext | undefined;
  try {
    ctx = st.exemplarSource!();
  } catch {
    st.exemplarErrors++;
    return;
  }
  if (ctx !== undefined && ctx !== null) keepHistogramExemplar(st, s, ctx, index, value, now);
}

function keepHistogramExemplar(
  st: ExemplarState,
  s: HistogramSeries,
  ctx: ExemplarContext,
  index: number,
  value: number,
  now: number,
): void {
  if (!usable(st, ctx)) return;
  const slot = slotOfValue(s.bounds, value, index);
  (s.ex ??= new ExemplarSlots(s.bounds.slots)).set(slot, ctx.traceId, ctx.spanId, value, now);
}

/** Keeps the increment as the counter's exemplar if a sampled span is active. */
export function sampleCounterExemplar(st: ExemplarState, s: Series, value: number, now: number): void {
  let ctx: ExemplarContext | undefined;
  try {
    ctx = st.exemplarSource!();
  } catch {
    st.exemplarErrors++;
    return;
  }
  if (ctx !== undefined && ctx !== null) keepCounterExemplar(st, s, ctx, value, now);
}

function keepCounterExemplar(st: ExemplarState, s: Series, ctx: ExemplarContext, value: number, now: number): void {
  if (!usable(st, ctx)) return;
  let slots = st.counterExemplars.get(s);
  if (slots === undefined) st.counterExemplars.set(s, (slots = new ExemplarSlots(1)));
  slots.set(0, ctx.traceId, ctx.spanId, value, now);
}

/** Keeps each incoming exemplar that is newer than the one in its slot (merging collected state). */
export function mergeExemplars(slots: ExemplarSlots, incoming: readonly (Exemplar | undefined | null)[]): void {
  const n = Math.min(incoming.length, slots.traceIds.length);
  for (let i = 0; i < n; i++) {
    const ex = incoming[i];
    if (ex === undefined || ex === null) continue;
    if (slots.traceIds[i] !== undefined && ex.timestamp < slots.times[i]!) continue;
    slots.set(i, ex.labels.trace_id!, ex.labels.span_id!, ex.value, ex.timestamp);
  }
}

/** Whether `ex` is an exemplar this package can keep: trace_id and span_id labels, finite value and time. */
export function isKeepableExemplar(ex: unknown): ex is Exemplar {
  if (typeof ex !== 'object' || ex === null) return false;
  const { labels, value, timestamp } = ex as Partial<Exemplar>;
  return (
    typeof labels === 'object' &&
    labels !== null &&
    typeof labels.trace_id === 'string' &&
    labels.trace_id.length <= MAX_ID_LENGTH &&
    typeof labels.span_id === 'string' &&
    labels.span_id.length <= MAX_ID_LENGTH &&
    typeof value === 'number' &&
    Number.isFinite(value) &&
    typeof timestamp === 'number' &&
    Number.isFinite(timestamp)
  );
}
