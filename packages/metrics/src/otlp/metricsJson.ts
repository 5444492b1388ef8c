import type { OtlpAttributeValue } from '@obs/core';
import { MetricType } from '../MetricType';
import type { CollectedFamily, CollectedHistogram, CollectedMetrics } from '../MetricsProducer';
import { hasPoints } from './metricsProto';
import { OTLP_METRICS_SCOPE, TEMPORALITY, type ExportSeries, type OtlpMetricsEncoding } from './options';

/*
 * The OTLP/JSON mapping of ExportMetricsServiceRequest: lowerCamelCase names,
 * 64-bit integers (timestamps, counts) as decimal strings, enums as numbers.
 */

type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } };
interface KeyValue {
  key: string;
  value: AnyValue;
}

/** Epoch ms (may be fractional) as a decimal nanosecond string, without a lossy float. */
export function msToNanoString(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  let whole = Math.floor(ms);
  let fraction = Math.round((ms - whole) * 1e6);
  if (fraction >= 1e6) {
    whole += 1;
    fraction -= 1e6;
  }
  return whole === 0 ? String(fraction) : String(whole) + String(fraction).padStart(6, '0');
}

function anyValue(v: OtlpAttributeValue): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: v.map(anyValue) } };
}

function attributes(labels: Readonly<Record<string, string>>): KeyValue[] {
  const out: KeyValue[] = [];
  for (const key in labels) out.push({ key, value: { stringValue: labels[key]! } });
  return out;
}

/** A Buckets object; empty stores are left out, as the protobuf encoding leaves them out. */
function buckets(store: CollectedHistogram['positive']): { offset?: number; bucketCounts: string[] } | undefined {
  if (store.counts.length === 0) return undefined;
  return store.offset === 0
    ? { bucketCounts: store.counts.map(String) }
    : { offset: store.offset, bucketCounts: store.counts.map(String) };
}

function minMax(h: CollectedHistogram): { min?: number; max?: number } {
  return h.min === null || h.max === null ? {} : { min: h.min, max: h.max };
}

function metric(fam: CollectedFamily, time: number, enc: OtlpMetricsEncoding): Record<string, unknown> {
  const start = fam.startTimestamp ?? time;
  const timeUnixNano = msToNanoString(time);
  const temporality = TEMPORALITY[enc.temporality];
  const series = fam.series as readonly ExportSeries[];
  const out: Record<string, unknown> = { name: fam.name };
  if (fam.help) out.description = fam.help;
  if (fam.unit) out.unit = fam.unit;
  const numberPoints = () =>
    series
      .filter((s) => s.value !== undefined)
      .map((s) => ({
        attributes: attributes(s.labels),
        startTimeUnixNano: msToNanoString(s.startTimestamp ?? start),
        timeUnixNano,
        asDouble: s.value,
      }));
  if (fam.type === MetricType.COUNTER) {
    out.sum = { dataPoints: numberPoints(), aggregationTemporality: temporality, isMonotonic: true };
  } else if (fam.type === MetricType.GAUGE) {
    out.gauge = { dataPoints: numberPoints() };
  } else if (enc.histogram === 'explicit') {
    const bounds = fam.bounds ?? [];
    out.histogram = {
      aggregationTemporality: temporality,
      dataPoints: series
        .filter((s) => s.histogram !== undefined)
        .map((s) => {
          const h = s.histogram!;
          return {
            attributes: attributes(s.labels),
            startTimeUnixNano: msToNanoString(s.startTimestamp ?? start),
            timeUnixNano,
            count: String(h.count),
            sum: h.sum,
            bucketCounts: Array.from({ length: bounds.length + 1 }, (_, j) =>
              String(s.bucketCounts?.[j] ?? (j === bounds.length ? h.count : 0)),
            ),
            explicitBounds: [...bounds],
            ...minMax(h),
          };
        }),
    };
  } else {
    out.exponentialHistogram = {
      aggregationTemporality: temporality,
      dataPoints: series
        .filter((s) => s.histogram !== undefined)
        .map((s) => {
          const h = s.histogram!;
          return {
            attributes: attributes(s.labels),
            startTimeUnixNano: msToNanoString(s.startTimestamp ?? start),
            timeUnixNano,
            count: String(h.count),
            sum: h.sum,
            scale: h.scale,
            zeroCount: String(h.zeroCount),
            ...(h.positive.counts.length ? { positive: buckets(h.positive) } : {}),
            ...(h.negative.counts.length ? { negative: buckets(h.negative) } : {}),
            ...minMax(h),
          };
        }),
    };
  }
  return out;
}

/** The OTLP/JSON `ExportMetricsServiceRequest` object for collected metrics. */
export function toOtlpMetricsJson(collected: CollectedMetrics, enc: OtlpMetricsEncoding): Record<string, unknown> {
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: Object.keys(enc.resource).map((key) => ({ key, value: anyValue(enc.resource[key]!) })),
        },
        scopeMetrics: [
          {
            scope: { name: OTLP_METRICS_SCOPE.name, version: OTLP_METRICS_SCOPE.version },
            metrics: collected.families.filter(hasPoints).map((fam) => metric(fam, collected.timestamp, enc)),
          },
        ],
      },
    ],
  };
}

/** {@link toOtlpMetricsJson} as UTF-8 bytes. */
export function encodeMetricsJson(collected: CollectedMetrics, enc: OtlpMetricsEncoding): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(toOtlpMetricsJson(collected, enc)));
}
