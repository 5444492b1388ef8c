import { describeValue } from '@obs/core';
import { SLOSnapshotError } from './errors';
import { normalizeSLODefinition, type SLODefinition } from './SLODefinition';
import { SLOStatus } from './SLOStatus';

export const SNAPSHOT_VERSION = 1;

/** How far ahead of this tracker's clock a snapshot's head may be (clock skew between hosts). */
const MAX_SKEW_MS = 3_600_000;

/** One SLO in a snapshot. `buckets` holds non-empty buckets as `[offsetFromHead, good, total]` triples. */
export interface SLOSnapshotEntry {
  readonly definition: SLODefinition;
  readonly bucketMs: number;
  /** Absolute bucket number of the head (floor(time / bucketMs)). */
  readonly head: number;
  readonly buckets: readonly number[];
  readonly status: SLOStatus;
  readonly alerting: { readonly page: boolean; readonly ticket: boolean };
}

/** What `SLOTracker.snapshot()` returns; plain JSON. */
export interface SLOTrackerSnapshot {
  readonly version: typeof SNAPSHOT_VERSION;
  readonly takenAt: number;
  readonly bucketMs: number;
  readonly slos: readonly SLOSnapshotEntry[];
}

interface ReadOptions {
  readonly maxSLOs: number;
  /** The tracker's current time: heads further ahead than `MAX_SKEW_MS` are rejected. */
  readonly now: number;
  bucketMsFor(def: SLODefinition): number;
  capacityFor(def: SLODefinition): number;
}

function fail(path: string, message: string, cause?: unknown): never {
  throw new SLOSnapshotError('INVALID_SNAPSHOT', `snapshot${path}: ${message}`, cause === undefined ? undefined : { cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STATUSES = new Set<unknown>(Object.values(SLOStatus));

/** Validates a snapshot completely; returns its entries or throws {@link SLOSnapshotError}. */
export function readSnapshot(value: unknown, options: ReadOptions): SLOSnapshotEntry[] {
  if (!isRecord(value)) fail('', `must be an object, got ${describeValue(value)}`);
  if (value['version'] !== SNAPSHOT_VERSION) fail('.version', `unsupported version ${describeValue(value['version'])}, expected ${SNAPSHOT_VERSION}`);
  const slos = value['slos'];
  if (!Array.isArray(slos)) fail('.slos', `must be an array, got ${describeValue(slos)}`);
  if (slos.length > options.maxSLOs) fail('.slos', `holds ${slos.length} SLOs, above the limit of ${options.maxSLOs}`);
  const seen = new Set<string>();
  const out: SLOSnapshotEntry[] = [];
  slos.forEach((raw: unknown, i) => {
    const at = `.slos[${i}]`;
    if (!isRecord(raw)) fail(at, `must be an object, got ${describeValue(raw)}`);
    let definition: SLODefinition;
    try {
      definition = normalizeSLODefinition(raw['definition']);
    } catch (error) {
      fail(`${at}.definition`, error instanceof Error ? error.message : 'invalid', error);
    }
    if (seen.has(definition.sloId)) fail(`${at}.definition.sloId`, `duplicate id ${JSON.stringify(definition.sloId)}`);
    seen.add(definition.sloId);
    let bucketMs: number;
    let capacity: number;
    try {
      bucketMs = options.bucketMsFor(definition);
      capacity = options.capacityFor(definition);
    } catch (error) {
      fail(`${at}.definition`, error instanceof Error ? error.message : 'does not fit this tracker', error);
    }
    if (raw['bucketMs'] !== bucketMs) {
      fail(`${at}.bucketMs`, `is ${describeValue(raw['bucketMs'])} but this tracker uses ${bucketMs} ms buckets for this SLO`);
    }
    const head = raw['head'];
    if (typeof head !== 'number' || !Number.isSafeInteger(head)) fail(`${at}.head`, `must be an integer bucket number, got ${describeValue(head)}`);
    if (head * bucketMs > options.now + MAX_SKEW_MS) {
      fail(`${at}.head`, `is at ${new Date(head * bucketMs).toISOString()}, more than an hour ahead of this tracker's clock`);
    }
    const buckets = raw['buckets'];
    if (!Array.isArray(buckets) || buckets.length % 3 !== 0 || buckets.length > capacity * 3) {
      fail(`${at}.buckets`, `must be an array of [offset, good, total] triples (at most ${capacity})`);
    }
    let lastOffset = -1;
    for (let k = 0; k < buckets.length; k += 3) {
      const offset: unknown = buckets[k];
      const good: unknown = buckets[k + 1];
      const total: unknown = buckets[k + 2];
      if (typeof offset !== 'number' || !Number.isInteger(offset) || offset <= lastOffset || offset >= capacity) {
        fail(`${at}.buckets[${k}]`, `offset must be an integer in increasing order within [0, ${capacity}), got ${describeValue(offset)}`);
      }
      if (
        typeof good !== 'number' ||
        typeof total !== 'number' ||
        !Number.isFinite(good) ||
        !Number.isFinite(total) ||
        total < 0 ||
        Math.abs(good) > Number.MAX_SAFE_INTEGER ||
        total > Number.MAX_SAFE_INTEGER
      ) {
        fail(`${at}.buckets[${k + 1}]`, `counts must be finite with total >= 0, got ${describeValue(good)} / ${describeValue(total)}`);
      }
      lastOffset = offset;
    }
    const status = raw['status'] ?? SLOStatus.MET;
    if (!STATUSES.has(status)) fail(`${at}.status`, `unknown status ${describeValue(status)}`);
    const alerting = raw['alerting'] ?? { page: false, ticket: false };
    if (!isRecord(alerting) || typeof alerting['page'] !== 'boolean' || typeof alerting['ticket'] !== 'boolean') {
      fail(`${at}.alerting`, 'must be {page: boolean, ticket: boolean}');
    }
    out.push({
      definition,
      bucketMs,
      head,
      buckets: buckets as number[],
      status: status as SLOStatus,
      alerting: { page: alerting['page'] as boolean, ticket: alerting['ticket'] as boolean },
    });
  });
  return out;
}
