import type { ProtoWriter } from './ProtoWriter';

/**
 * OTLP common messages (opentelemetry/proto/common/v1, resource/v1), shared by the
 * trace and metrics encoders:
 *   KeyValue   { string key = 1; AnyValue value = 2; }
 *   AnyValue   { oneof { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
 *                double double_value = 4; ArrayValue array_value = 5; ... } }
 *   ArrayValue { repeated AnyValue values = 1; }
 *   Resource   { repeated KeyValue attributes = 1; }
 *   InstrumentationScope { string name = 1; string version = 2; }
 */

/** An attribute value: safe integers become `int_value`, other numbers `double_value`. */
export type OtlpAttributeValue = string | number | boolean | readonly (string | number | boolean)[];

/** Writes an AnyValue body (without its own tag). Unsupported values write an empty AnyValue. */
function writeAnyValueBody(w: ProtoWriter, value: OtlpAttributeValue): void {
  switch (typeof value) {
    case 'string':
      w.stringField(1, value);
      return;
    case 'boolean':
      w.boolField(2, value);
      return;
    case 'number':
      if (Number.isSafeInteger(value)) w.int64Field(3, value);
      else w.doubleField(4, value);
      return;
    default:
      if (Array.isArray(value)) {
        const array = w.forkField(5);
        for (const item of value as readonly (string | number | boolean)[]) {
          const at = w.forkField(1);
          writeAnyValueBody(w, item);
          w.join(at);
        }
        w.join(array);
      }
  }
}

/** A `KeyValue` field. */
export function writeOtlpKeyValue(w: ProtoWriter, field: number, key: string, value: OtlpAttributeValue): void {
  const at = w.forkField(field);
  w.stringField(1, key);
  const v = w.forkField(2);
  writeAnyValueBody(w, value);
  w.join(v);
  w.join(at);
}

/** A `KeyValue` field with a string value (the common case: metric labels). */
export function writeOtlpStringKeyValue(w: ProtoWriter, field: number, key: string, value: string): void {
  const at = w.forkField(field);
  w.stringField(1, key);
  const v = w.forkField(2);
  w.stringField(1, value);
  w.join(v);
  w.join(at);
}

/** A `Resource` field with the given attributes. */
export function writeOtlpResource(
  w: ProtoWriter,
  field: number,
  attributes: Readonly<Record<string, OtlpAttributeValue>>,
): void {
  const at = w.forkField(field);
  for (const key of Object.keys(attributes)) writeOtlpKeyValue(w, 1, key, attributes[key]!);
  w.join(at);
}

/** An `InstrumentationScope` field. */
export function writeOtlpScope(w: ProtoWriter, field: number, name: string, version: string): void {
  const at = w.forkField(field);
  w.stringField(1, name);
  if (version) w.stringField(2, version);
  w.join(at);
}
