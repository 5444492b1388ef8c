import { describeValue, type Labels } from '@obs/core';
import { SLOSnapshotError } from './errors';
import { normalizeSLODefinition, type SLODefinition } from './SLODefinition';
import { SLOStatus } from './SLOStatus';

export const SNAPSHOT_VERSION = 1;

/** How far ahead of this tracker's clock a snapshot's head may be (clock skew between hosts). */
const MAX_SKEW_MS = 3_600_000;

/** One error budget's state: `buckets` holds non-empty buckets as `[offsetFromHead, good, total]` triples. */
export interface SLOTrackSnapshot {
  /** Absolute bucket number of the head (floor(time / bucketMs)). */
  readonly head: number;
  readonly buckets: readonly number[];
  readonly status: SLOStatus;
  readonly alerting: { readonly page: boolean; readonly ticket: boolean };
  /** Budget history as `[intervalMs, t0, v0, t1, v1, ...]` (absent in older snapshots). */
  readonly history?: readonly number[];
}

/** One group of a grouped SLO in a snapshot. */
export interface SLOGroupSnapshot extends SLOTrackSnapshot {
  readonly labels: Labels;
}

/** One SLO in a snapshot: the SLO as a whole, and its groups when grouped. */
export interface SLOSnapshotEntry extends SLOTrackSnapshot {
  readonly definition: SLODefinition;
  readonly bucketMs: number;
  readonly groups?: readonly SLOGroupSnapshot[];
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
  /** Most groups per grouped SLO. */
  readonly maxGroups: number;
}

function fail(path: string, message: string, cause?: unknown): never {
  throw new SLOSnapshotError(
    'INVALID_SNAPSHOT',
    `snapshot${path}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STATUSES = new Set<unknown>(Object.values(SLOStatus));

/** Validates a snapshot completely; returns its entries or throws {@link SLOSnapshotError}. */
export function readSnapshot(value: unknown, options: ReadOptions): SLOSnapshotEntry[] {
  if (!isRecord(value)) fail('', `must be an object, got ${describeValue(value)}`);
  if (value['version'] !== SNAPSHOT_VERSION)
    fail('.version', `unsupported version ${describeValue(value['version'])}, expected ${SNAPSHOT_VERSION}`);
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
      fail(
        `${at}.bucketMs`,
        `is ${describeValue(raw['bucketMs'])} but this tracker uses ${bucketMs} ms buckets for this SLO`,
      );
    }
    const whole = readTrack(raw, at, bucketMs, capacity, options.now);
    let groups: SLOGroupSnapshot[] | undefined;
    if (definition.groupBy !== undefined) {
      const rawGroups = raw['groups'] ?? [];
      if (!Array.isArray(rawGroups) || rawGroups.length > options.maxGroups) {
        fail(`${at}.groups`, `must be an array of at most ${options.maxGroups} groups`);
      }
      const names = definition.groupBy;
      const keys = new Set<string>();
      groups = rawGroups.map((g: unknown, j) => {
        const gat = `${at}.groups[${j}]`;
        if (!isRecord(g) || !isRecord(g['labels'])) fail(gat, 'must be {labels, head, buckets, status, alerting}');
        const labels = g['labels'] as Record<string, unknown>;
        if (
          Object.keys(labels).length !== names.length ||
          names.some((n) => typeof labels[n] !== 'string' || (labels[n] as string).length > 1024)
        ) {
          fail(`${gat}.labels`, `must hold exactly the groupBy labels ${names.join(', ')} as strings`);
        }
        const key = names.map((n) => labels[n] as string).join('\u0000');
        if (keys.has(key)) fail(`${gat}.labels`, 'duplicate group');
        keys.add(key);
        return { labels: labels as Labels, ...readTrack(g, gat, bucketMs, capacity, options.now) };
      });
    } else if (raw['groups'] !== undefined) {
      fail(`${at}.groups`, 'is only valid for an SLO with groupBy');
    }
    out.push({ definition, bucketMs, ...whole, ...(groups === undefined ? {} : { groups }) });
  });
  return out;
}

/** Validates one track (the whole SLO or a group): head, bucket triples, status, alerting, history. */
function readTrack(
  raw: Record<string, unknown>,
  at: string,
  bucketMs: number,
  capacity: number,
  now: number,
): SLOTrackSnapshot {
  const head = raw['head'];
  if (typeof head !== 'number' || !Number.isSafeInteger(head))
    fail(`${at}.head`, `must be an integer bucket number, got ${describeValue(head)}`);
  if (head * bucketMs > now + MAX_SKEW_MS) {
    fail(
      `${at}.head`,
      `is at ${new Date(head * bucketMs).toISOString()}, more than an hour ahead of this tracker's clock`,
    );
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
      fail(
        `${at}.buckets[${k}]`,
        `offset must be an integer in increasing order within [0, ${capacity}), got ${describeValue(offset)}`,
      );
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
      fail(
        `${at}.buckets[${k + 1}]`,
        `counts must be finite with total >= 0, got ${describeValue(good)} / ${describeValue(total)}`,
      );
    }
    lastOffset = offset;
  }
  const status = raw['status'] ?? SLOStatus.MET;
  if (!STATUSES.has(status)) fail(`${at}.status`, `unknown status ${describeValue(status)}`);
  const alerting = raw['alerting'] ?? { page: false, ticket: false };
  if (!isRecord(alerting) || typeof alerting['page'] !== 'boolean' || typeof alerting['ticket'] !== 'boolean') {
    fail(`${at}.alerting`, 'must be {page: boolean, ticket: boolean}');
  }
  const history = raw['history'];
  if (
    history !== undefined &&
    (!Array.isArray(history) ||
      history.length > 1 + 2 * 256 ||
      history.some((x) => typeof x !== 'number' || !Number.isFinite(x)))
  ) {
    fail(`${at}.history`, 'must be an array of at most 513 finite numbers');
  }
  return {
    head,
    buckets: buckets as number[],
    status: status as SLOStatus,
    alerting: { page: alerting['page'] as boolean, ticket: alerting['ticket'] as boolean },
    ...(history === undefined ? {} : { history: history as number[] }),
  };
}
