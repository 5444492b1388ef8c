/**
 * A checker for OTLP/JSON `ExportTraceServiceRequest` bodies, written from
 * the OTLP specification's JSON rules (opentelemetry-proto, "JSON Protobuf
 * Encoding"): lowerCamelCase fields, trace and span ids as lowercase hex (not
 * base64), 64-bit integers as decimal strings, enums as integers, AnyValue
 * with exactly one variant. Returns the problems found ([] when valid).
 */
export function validateOtlpTraceRequest(body: unknown): string[] {
  const problems: string[] = [];
  const fail = (path: string, what: string) => problems.push(`${path}: ${what}`);
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  const onlyKeys = (v: Record<string, unknown>, allowed: string[], path: string) => {
    for (const key of Object.keys(v)) if (!allowed.includes(key)) fail(path, `unknown field ${key}`);
  };
  const uint64 = (v: unknown, path: string) => {
    if (typeof v !== 'string' || !/^(0|[1-9]\d*)$/.test(v) || BigInt(v) >= 2n ** 64n)
      fail(path, `must be a uint64 decimal string, got ${JSON.stringify(v)}`);
  };
  const anyValue = (v: unknown, path: string): void => {
    if (!isObject(v)) return void fail(path, 'AnyValue must be an object');
    const keys = Object.keys(v);
    if (keys.length !== 1) return void fail(path, `AnyValue must have exactly one variant, has ${keys.join(',')}`);
    const [kind] = keys;
    const value = v[kind!];
    switch (kind) {
      case 'stringValue':
        if (typeof value !== 'string') fail(path, 'stringValue must be a string');
        break;
      case 'boolValue':
        if (typeof value !== 'boolean') fail(path, 'boolValue must be a boolean');
        break;
      case 'intValue':
        if (
          typeof value !== 'string' ||
          !/^-?(0|[1-9]\d*)$/.test(value) ||
          BigInt(value) >= 2n ** 63n ||
          BigInt(value) < -(2n ** 63n)
        )
          fail(path, 'intValue must be an int64 decimal string');
        break;
      case 'doubleValue':
        if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'doubleValue must be a finite number');
        break;
      case 'arrayValue':
        if (!isObject(value) || !Array.isArray(value.values)) fail(path, 'arrayValue needs values[]');
        else value.values.forEach((item, i) => anyValue(item, `${path}.arrayValue.values[${i}]`));
        break;
      default:
        fail(path, `unexpected AnyValue variant ${kind}`);
    }
  };
  const attributes = (v: unknown, path: string) => {
    if (!Array.isArray(v)) return void fail(path, 'attributes must be an array');
    const seen = new Set<string>();
    v.forEach((kv, i) => {
      if (!isObject(kv) || typeof kv.key !== 'string' || kv.key === '')
        return void fail(`${path}[${i}]`, 'KeyValue needs a non-empty key');
      onlyKeys(kv, ['key', 'value'], `${path}[${i}]`);
      if (seen.has(kv.key)) fail(`${path}[${i}]`, `duplicate key ${kv.key}`);
      seen.add(kv.key);
      anyValue(kv.value, `${path}[${i}].value`);
    });
  };
  const hexId = (v: unknown, length: number, path: string) => {
    if (typeof v !== 'string' || !new RegExp(`^[0-9a-f]{${length}}$`).test(v) || /^0+$/.test(v))
      fail(path, `must be ${length} lowercase hex digits, not all zero, got ${JSON.stringify(v)}`);
  };

  if (!isObject(body)) return ['body must be a JSON object'];
  onlyKeys(body, ['resourceSpans'], '$');
  if (!Array.isArray(body.resourceSpans)) return ['$.resourceSpans must be an array'];
  body.resourceSpans.forEach((rs, r) => {
    const rp = `$.resourceSpans[${r}]`;
    if (!isObject(rs)) return void fail(rp, 'must be an object');
    onlyKeys(rs, ['resource', 'scopeSpans', 'schemaUrl'], rp);
    if (!isObject(rs.resource)) return void fail(rp, 'resource missing');
    attributes(rs.resource.attributes, `${rp}.resource.attributes`);
    const service = (rs.resource.attributes as Array<{ key: string; value: { stringValue?: string } }>).find?.(
      (a) => a.key === 'service.name',
    );
    if (typeof service?.value?.stringValue !== 'string') fail(rp, 'resource needs a string service.name');
    if (!Array.isArray(rs.scopeSpans)) return void fail(rp, 'scopeSpans must be an array');
    rs.scopeSpans.forEach((ss, s) => {
      const sp = `${rp}.scopeSpans[${s}]`;
      if (!isObject(ss) || !isObject(ss.scope) || typeof ss.scope.name !== 'string')
        return void fail(sp, 'needs scope.name');
      if (!Array.isArray(ss.spans)) return void fail(sp, 'spans must be an array');
      ss.spans.forEach((span, k) => {
        const p = `${sp}.spans[${k}]`;
        if (!isObject(span)) return void fail(p, 'must be an object');
        onlyKeys(
          span,
          [
            'traceId',
            'spanId',
            'parentSpanId',
            'traceState',
            'flags',
            'name',
            'kind',
            'startTimeUnixNano',
            'endTimeUnixNano',
            'attributes',
            'droppedAttributesCount',
            'events',
            'droppedEventsCount',
            'links',
            'droppedLinksCount',
            'status',
          ],
          p,
        );
        hexId(span.traceId, 32, `${p}.traceId`);
        hexId(span.spanId, 16, `${p}.spanId`);
        if (span.parentSpanId !== undefined && span.parentSpanId !== '')
          hexId(span.parentSpanId, 16, `${p}.parentSpanId`);
        if (span.traceState !== undefined && typeof span.traceState !== 'string')
          fail(p, 'traceState must be a string');
        if (
          span.flags !== undefined &&
          (!Number.isInteger(span.flags) || (span.flags as number) < 0 || (span.flags as number) > 0xffffffff)
        )
          fail(p, 'flags must be a fixed32');
        if (typeof span.name !== 'string' || span.name === '') fail(p, 'name must be a non-empty string');
        if (!Number.isInteger(span.kind) || (span.kind as number) < 0 || (span.kind as number) > 5)
          fail(p, 'kind must be an enum integer 0..5');
        uint64(span.startTimeUnixNano, `${p}.startTimeUnixNano`);
        uint64(span.endTimeUnixNano, `${p}.endTimeUnixNano`);
        if (
          typeof span.startTimeUnixNano === 'string' &&
          typeof span.endTimeUnixNano === 'string' &&
          /^\d+$/.test(span.startTimeUnixNano) &&
          /^\d+$/.test(span.endTimeUnixNano)
        ) {
          if (BigInt(span.endTimeUnixNano) < BigInt(span.startTimeUnixNano)) fail(p, 'ends before it starts');
        }
        attributes(span.attributes ?? [], `${p}.attributes`);
        for (const counter of ['droppedAttributesCount', 'droppedEventsCount'] as const) {
          if (span[counter] !== undefined && (!Number.isInteger(span[counter]) || (span[counter] as number) < 0))
            fail(p, `${counter} must be a uint32`);
        }
        if (span.events !== undefined) {
          if (!Array.isArray(span.events)) fail(p, 'events must be an array');
          else
            span.events.forEach((event, e) => {
              const ep = `${p}.events[${e}]`;
              if (!isObject(event)) return void fail(ep, 'must be an object');
              onlyKeys(event, ['timeUnixNano', 'name', 'attributes', 'droppedAttributesCount'], ep);
              uint64(event.timeUnixNano, `${ep}.timeUnixNano`);
              if (typeof event.name !== 'string') fail(ep, 'name must be a string');
              attributes(event.attributes ?? [], `${ep}.attributes`);
            });
        }
        if (!isObject(span.status)) fail(p, 'status must be an object');
        else {
          onlyKeys(span.status, ['code', 'message'], `${p}.status`);
          if (![0, 1, 2].includes(span.status.code as number)) fail(p, 'status.code must be 0, 1 or 2');
          if (span.status.message !== undefined && typeof span.status.message !== 'string')
            fail(p, 'status.message must be a string');
        }
      });
    });
  });
  return problems;
}
