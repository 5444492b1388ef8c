import type { VisionAlertInit, VisionAnomaly, VisionHub, VisionSLODefinition, VisionSpan } from '../VisionHub';

export interface FakeSpan extends VisionSpan {
  readonly operationName: string;
  readonly serviceName: string;
  readonly parent: unknown;
  readonly tags: Readonly<Record<string, unknown>>;
  readonly logs: { message: string; fields?: Record<string, unknown> }[];
  status?: string;
}

/** A recording stand-in for ObservabilityHub with just the methods the wrapper calls. */
export class FakeHub implements VisionHub {
  readonly calls: { method: string; name: string; value: number; labels: Record<string, string> }[] = [];
  readonly spans: FakeSpan[] = [];
  readonly slos = new Map<string, VisionSLODefinition>();
  readonly sloEvents: { sloId: string; good: boolean }[] = [];
  readonly alertStore = new Map<string, VisionAlertInit & { state: 'firing' | 'resolved'; fired: number }>();
  anomalyFor: (value: number) => VisionAnomaly | undefined = () => undefined;
  throwIn = new Set<string>();
  private nextId = 1;

  private check(method: string): void {
    if (this.throwIn.has(method)) throw new Error(`${method} is broken`);
  }

  readonly metrics = {
    increment: (name: string, value = 1, labels: Record<string, string> = {}) => {
      this.check('increment');
      this.calls.push({ method: 'increment', name, value, labels });
    },
    histogram: (name: string, value: number, labels: Record<string, string> = {}) => {
      this.check('histogram');
      this.calls.push({ method: 'histogram', name, value, labels });
    },
    gauge: (name: string, value: number, labels: Record<string, string> = {}) => {
      this.check('gauge');
      this.calls.push({ method: 'gauge', name, value, labels });
    },
  };

  readonly traces = {
    startSpan: (
      operationName: string,
      serviceName: string,
      parent?: unknown,
      tags: Readonly<Record<string, unknown>> = {},
    ): VisionSpan => {
      this.check('startSpan');
      const id = String(this.nextId++).padStart(16, '0');
      const span: FakeSpan = {
        context: { traceId: id.padStart(32, '0'), spanId: id },
        operationName,
        serviceName,
        parent,
        tags,
        logs: [],
        log: (message, fields) => void span.logs.push({ message, fields }),
      };
      this.spans.push(span);
      return span;
    },
    finishSpan: (span: VisionSpan, status?: 'ok' | 'error' | 'unset') => {
      this.check('finishSpan');
      (span as FakeSpan).status = status;
    },
  };

  readonly sloTracker = {
    hasSLO: (id: string) => this.slos.has(id),
    defineSLO: (slo: VisionSLODefinition) => {
      this.check('defineSLO');
      if (this.slos.has(slo.sloId)) throw new Error('duplicate');
      this.slos.set(slo.sloId, slo);
      return slo;
    },
    recordEvent: (sloId: string, good: boolean) => {
      this.check('recordEvent');
      if (!this.slos.has(sloId)) throw new Error('unknown slo');
      this.sloEvents.push({ sloId, good });
    },
  };

  readonly anomalyDetector = {
    detect: (_name: string, value: number) => {
      this.check('detect');
      return this.anomalyFor(value);
    },
  };

  readonly alerts = {
    fireAlert: (init: VisionAlertInit) => {
      this.check('fireAlert');
      const id = init.alertId ?? init.name;
      const previous = this.alertStore.get(id);
      this.alertStore.set(id, { ...init, state: 'firing', fired: (previous?.fired ?? 0) + 1 });
      return { alertId: id };
    },
    resolveAlert: (id: string) => {
      const alert = this.alertStore.get(id);
      if (!alert || alert.state !== 'firing') return undefined;
      alert.state = 'resolved';
      return alert;
    },
  };

  count(method: string, name: string, labels?: Record<string, string>): number {
    return this.calls
      .filter(
        (c) =>
          c.method === method && c.name === name && (!labels || JSON.stringify(c.labels) === JSON.stringify(labels)),
      )
      .reduce((sum, c) => sum + c.value, 0);
  }
}
