/**
 * @obs/tracing side by side with the OpenTelemetry JS SDK 2.x:
 * - sampled span start + finish vs BasicTracerProvider + BatchSpanProcessor
 *   (no-op exporter, AlwaysOn sampler);
 * - a span through the OpenTelemetry API: @obs/otel's bridge tracer vs the
 *   SDK's tracer (same BasicTracerProvider + BatchSpanProcessor);
 * - traceparent inject + extract round trip vs @opentelemetry/core's
 *   W3CTraceContextPropagator;
 * - an unsampled span vs a sampled span of ours.
 */
import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace as otelTrace,
  TraceFlags,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ObsTracerProvider } from '@obs/otel';
import { createTraceManager } from '@obs/tracing';
import { cpus, loadavg } from 'node:os';
import { benchGroup, formatGroup, heapPerItem, type BenchCase, type GroupResult } from './harness';

const ROUNDS = { rounds: 15, roundMs: 100 };

/**
 * The harness's method (calibrated n, rotated rounds, medians) timed in
 * process CPU time instead of wall time: on a shared, overloaded machine the
 * wall clock also counts the time this process waits for a CPU, which swamps
 * the ratios. Both tables are printed.
 */
function cpuBenchGroup(
  group: string,
  baseline: string,
  cases: BenchCase[],
  { rounds = 15, roundMs = 100 } = {},
): GroupResult {
  const cpuNs = (from: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(from);
    return (d.user + d.system) * 1000;
  };
  const sizes = cases.map((c) => {
    let n = 1000;
    for (;;) {
      const start = process.cpuUsage();
      c.run(n);
      const ns = cpuNs(start);
      if (ns > (roundMs * 1e6) / 4 || n > 1e9) return Math.max(1, Math.round((n * roundMs * 1e6) / Math.max(ns, 1000)));
      n *= 4;
    }
  });
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + round) % cases.length;
      const start = process.cpuUsage();
      cases[i]!.run(sizes[i]!);
      samples[i]!.push((sizes[i]! / cpuNs(start)) * 1e9);
    }
  }
  const medians = samples.map((values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[sorted.length >> 1]!;
  });
  const base =
    medians[
      Math.max(
        0,
        cases.findIndex((c) => c.name === baseline),
      )
    ]!;
  return {
    group: `${group} (CPU time)`,
    baseline,
    rows: cases.map((c, i) => ({ name: c.name, opsPerSec: medians[i]!, ratio: medians[i]! / base })),
  };
}

/** Runs a group both ways. */
function bothGroups(group: string, baseline: string, cases: BenchCase[]): [GroupResult, GroupResult] {
  return [cpuBenchGroup(group, baseline, cases, ROUNDS), benchGroup(group + ' (wall time)', baseline, cases, ROUNDS)];
}

const noopExporter: SpanExporter = {
  export(_spans: ReadableSpan[], done) {
    done({ code: 0 });
  },
  async shutdown() {},
};

export async function run(): Promise<string> {
  const provider = new BasicTracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor(noopExporter)],
  });
  const tracer = provider.getTracer('bench');
  const sampled = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
  const unsampled = createTraceManager({ traceSampleRate: 0, reaperIntervalMs: 0 });
  let parent = sampled.startSpan('parent', 'bench');

  const spans = bothGroups('sampled span start + finish', 'OpenTelemetry sdk-trace-base', [
    {
      name: 'OpenTelemetry sdk-trace-base',
      run(n) {
        let last;
        for (let i = 0; i < n; i++) {
          last = tracer.startSpan('op');
          last.end();
        }
        return last;
      },
    },
    {
      name: '@obs/tracing (root spans)',
      run(n) {
        let last;
        for (let i = 0; i < n; i++) {
          last = sampled.startSpan('op', 'bench');
          last.finish();
        }
        return last;
      },
    },
    {
      // Children of a parent that changes every 100 spans, so every child is stored.
      name: '@obs/tracing (child spans)',
      run(n) {
        let last;
        for (let i = 0; i < n; i++) {
          if (i % 100 === 0) {
            parent.finish();
            parent = sampled.startSpan('parent', 'bench');
          }
          last = sampled.startSpan('op', 'bench', parent);
          last.finish();
        }
        return last;
      },
    },
  ]);

  // The OpenTelemetry API on both sides: the SDK's tracer against @obs/otel's bridge tracer over a
  // TraceManager (sample rate 1, spans stored). Same global context manager (none) for both.
  const bridged = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
  const bridgeTracer = new ObsTracerProvider(bridged, { serviceName: 'bench' }).getTracer('bench');
  const bridge = bothGroups('span through the OpenTelemetry API (start + end)', 'OpenTelemetry sdk-trace-base', [
    {
      name: 'OpenTelemetry sdk-trace-base',
      run(n) {
        let last;
        for (let i = 0; i < n; i++) {
          last = tracer.startSpan('op');
          last.end();
        }
        return last;
      },
    },
    {
      name: '@obs/otel bridge',
      run(n) {
        let last;
        for (let i = 0; i < n; i++) {
          last = bridgeTracer.startSpan('op');
          last.end();
        }
        return last;
      },
    },
  ]);

  const propagator = new W3CTraceContextPropagator();
  const otelSpanContext = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
  };
  const otelContext = otelTrace.setSpanContext(ROOT_CONTEXT, otelSpanContext);
  const ourSpan = sampled.startSpan('propagated', 'bench');
  const roundTrip = bothGroups('traceparent inject + extract', 'OpenTelemetry W3CTraceContextPropagator', [
    {
      name: 'OpenTelemetry W3CTraceContextPropagator',
      run(n) {
        let last;
        for (let i = 0; i < n; i++) {
          const carrier: Record<string, string> = {};
          propagator.inject(otelContext, carrier, defaultTextMapSetter);
          last = otelTrace.getSpanContext(propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
        }
        return last;
      },
    },
    {
      name: '@obs/tracing',
      run(n) {
        let last;
        for (let i = 0; i < n; i++) {
          last = sampled.extractContext(sampled.injectContext(ourSpan));
        }
        return last;
      },
    },
  ]);

  const unsampledParent = unsampled.startSpan('parent', 'bench');
  const unsampledWithContext = createTraceManager({ traceSampleRate: 0, reaperIntervalMs: 0 });
  unsampledWithContext.withSpan(unsampledWithContext.startSpan('warm', 'bench'), () => undefined);
  // Each case writes its loop out instead of sharing a helper: closures from one function
  // literal share V8's feedback, so a shared loop would mix sampled and unsampled span
  // shapes in one inline cache and blur the very ratio this group measures.
  const cost = bothGroups('unsampled vs sampled span (start + finish)', '@obs/tracing sampled', [
    {
      name: '@obs/tracing sampled',
      run(n) {
        let last;
        for (let i = 0; i < n; i++) {
          last = sampled.startSpan('op', 'bench');
          last.finish();
        }
        return last;
      },
    },
    {
      name: '@obs/tracing unsampled',
      run(n) {
        let last;
        for (let i = 0; i < n; i++) {
          last = unsampled.startSpan('op', 'bench');
          last.finish();
        }
        return last;
      },
    },
    {
      // Once any span was made active, every start without a parent reads AsyncLocalStorage.
      name: '@obs/tracing unsampled (active context in use)',
      run(n) {
        let last;
        for (let i = 0; i < n; i++) {
          last = unsampledWithContext.startSpan('op', 'bench');
          last.finish();
        }
        return last;
      },
    },
    {
      name: '@obs/tracing unsampled child',
      run(n) {
        let last;
        for (let i = 0; i < n; i++) {
          last = unsampled.startSpan('op', 'bench', unsampledParent);
          last.finish();
        }
        return last;
      },
    },
  ]);

  // Retained heap per finished span in storage (1000 traces of 10 spans).
  const heapManager = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0, maxTraces: 1000 });
  const perSpan = heapPerItem(10_000, (count) => {
    for (let t = 0; t < count / 10; t++) {
      const root = heapManager.startSpan('root', 'bench');
      for (let c = 0; c < 9; c++) heapManager.startSpan('child', 'bench', root, { i: c }).finish();
      root.finish();
    }
    return heapManager;
  });

  await provider.shutdown();
  await sampled.shutdown();
  await bridged.shutdown();
  await unsampled.shutdown();
  await unsampledWithContext.shutdown();
  await heapManager.shutdown();
  return [
    ...[spans, bridge, roundTrip, cost].flatMap(([cpu, wall]) => [formatGroup(cpu), '', formatGroup(wall), '']),
    `Retained heap per stored span (10 spans per trace, one tag each): ${Math.round(perSpan)} bytes.`,
    '',
    `Load average while running: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} on ${cpus().length} CPUs.`,
  ].join('\n');
}
