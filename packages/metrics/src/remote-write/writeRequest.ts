import { ProtoWriter } from '@obs/core';
import { MetricType } from '../MetricType';
import { formatValue } from '../exposition/serialize';
import type { CollectedFamily, CollectedMetrics } from '../MetricsProducer';

/**
 * Prometheus remote write 1.0 (`prometheus.WriteRequest`, protobuf) from collected
 * metrics, with the series names a Prometheus scrape of `/metrics` would give:
 * counters as `<base>_total`, gauges as themselves, histograms and timers as classic
 * `_bucket{le}` (cumulative, ending in `+Inf`), `_sum` and `_count` series.
 *
 * Field numbers (prompb/remote.proto, types.proto):
 *   WriteRequest   { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 *   TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label          { string name = 1; string value = 2; }
 *   Sample         { double value = 1; int64 timestamp = 2; }   // timestamp in ms
 *   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
 */

/** prompb `MetricMetadata.MetricType`. */
const METADATA_TYPE = { counter: 1, gauge: 2, histogram: 3 } as const;

export interface WriteRequestOptions {
  /** Labels added to every series that does not already have them (Prometheus `external_labels`). */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Samples per request; a push of more is cut into several requests. Default 2000. */
  readonly maxSamplesPerRequest?: number;
  /** Send `MetricMetadata` (type, help, unit) with the first request of each push. Default true. */
  readonly sendMetadata?: boolean;
}

/** One encoded (uncompressed) `WriteRequest`. */
export interface EncodedWriteRequest {
  readonly body: Uint8Array;
  readonly samples: number;
  /** The collection time its samples carry (epoch ms). */
  readonly timestamp: number;
}

type Pair = [name: string, value: string];

function byName(a: Pair, b: Pair): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Encodes collected metrics as remote-write requests of at most `maxSamplesPerRequest` samples each. */
export class WriteRequestEncoder {
  private readonly external: Pair[];
  private readonly maxSamples: number;
  private readonly sendMetadata: boolean;
  private readonly writer = new ProtoWriter(64 * 1024);

  constructor(options: WriteRequestOptions = {}) {
    this.external = Object.entries(options.externalLabels ?? {}).sort(byName);
    this.maxSamples = options.maxSamplesPerRequest ?? 2000;
    this.sendMetadata = options.sendMetadata ?? true;
  }

  encode(collected: CollectedMetrics): EncodedWriteRequest[] {
    const out: EncodedWriteRequest[] = [];
    const w = this.writer.reset();
    const ts = Math.round(collected.timestamp);
    let samples = 0;
    const flush = (): void => {
      if (samples === 0) return;
      out.push({ body: w.finish(), samples, timestamp: ts });
      w.reset();
      samples = 0;
    };
    if (this.sendMetadata) for (const fam of collected.families) this.writeMetadata(w, fam);
    for (const fam of collected.families) {
      const isCounter = fam.type === MetricType.COUNTER;
      if (isCounter || fam.type === MetricType.GAUGE) {
        const name = isCounter ? counterSampleName(fam.name) : fam.name;
        for (const s of fam.series) {
          if (s.value === undefined) continue;
          this.writeSeries(w, this.labelsOf(s.labels, name), s.value, ts);
          if (++samples >= this.maxSamples) flush();
        }
        continue;
      }
      // Histograms, timers (and summaries that carry a sketch) as classic histograms.
      const bounds = fam.bounds ?? [];
      const le = bounds.map(formatValue);
      le.push('+Inf');
      const bucketName = fam.name + '_bucket';
      const sumName = fam.name + '_sum';
      const countName = fam.name + '_count';
      for (const s of fam.series) {
        const h = s.histogram;
        if (h === undefined) continue;
        const bucketLabels = this.labelsOf(s.labels, bucketName, 'le');
        const leAt = bucketLabels.findIndex((p) => p[0] === 'le');
        const counts = s.bucketCounts;
        let cumulative = 0;
        for (let j = 0; j < le.length; j++) {
          cumulative += counts?.[j] ?? (j === le.length - 1 ? h.count : 0);
          bucketLabels[leAt] = ['le', le[j]!];
          this.writeSeries(w, bucketLabels, cumulative, ts);
          if (++samples >= this.maxSamples) flush();
        }
        this.writeSeries(w, this.labelsOf(s.labels, sumName), h.sum, ts);
        if (++samples >= this.maxSamples) flush();
        this.writeSeries(w, this.labelsOf(s.labels, countName), h.count, ts);
        if (++samples >= this.maxSamples) flush();
      }
    }
    flush();
    return out;
  }

  /**
   * Series labels plus external labels (where absent) plus `__name__` (and an `le`
   * placeholder when `le` is given), sorted by name as remote write requires.
   */
  private labelsOf(labels: Readonly<Record<string, string>>, name: string, le?: 'le'): Pair[] {
    const pairs: Pair[] = [['__name__', name]];
    if (le) pairs.push(['le', '']);
    for (const key of Object.keys(labels)) if (key !== '__name__' && key !== le) pairs.push([key, labels[key]!]);
    for (const pair of this.external) {
      if (pair[0] !== '__name__' && pair[0] !== le && !Object.prototype.hasOwnProperty.call(labels, pair[0]))
        pairs.push(pair);
    }
    return pairs.sort(byName);
  }

  private writeSeries(w: ProtoWriter, labels: readonly Pair[], value: number, ts: number): void {
    const series = w.forkField(1);
    for (let i = 0; i < labels.length; i++) {
      const label = w.forkField(1);
      w.stringField(1, labels[i]![0]).stringField(2, labels[i]![1]);
      w.join(label);
    }
    const sample = w.forkField(2);
    w.doubleField(1, value).int64Field(2, ts);
    w.join(sample);
    w.join(series);
  }

  private writeMetadata(w: ProtoWriter, fam: CollectedFamily): void {
    const isCounter = fam.type === MetricType.COUNTER;
    const type = isCounter
      ? METADATA_TYPE.counter
      : fam.type === MetricType.GAUGE
        ? METADATA_TYPE.gauge
        : METADATA_TYPE.histogram;
    const at = w.forkField(3);
    w.uint32Field(1, type).stringField(2, isCounter ? counterSampleName(fam.name) : fam.name);
    if (fam.help) w.stringField(4, fam.help);
    if (fam.unit) w.stringField(5, fam.unit);
    w.join(at);
  }
}

/** The sample name of a counter, as the text exposition writes it: always ending in `_total`. */
export function counterSampleName(name: string): string {
  return name.endsWith('_total') && name.length > 6 ? name : name + '_total';
}
