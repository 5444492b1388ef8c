import { describeValue, type Labels } from '@obs/core';
import { AlertLimitError, AlertValidationError } from './errors';
import { compileMatchers, matchesAll, type CompiledMatcher, type Matcher } from './matchers';

/** What `addSilence` takes. `startsAt` defaults to now; `endsAt` must be later than both. */
export interface SilenceInit {
  readonly matchers: readonly Matcher[];
  readonly startsAt?: number;
  readonly endsAt: number;
  readonly createdBy?: string;
  readonly comment?: string;
}

export type SilenceStatus = 'pending' | 'active' | 'expired';

/** A silence as listed by `listSilences()` (status computed from the clock). */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
  readonly status: SilenceStatus;
  /** When it was created or last expired (epoch ms). */
  readonly updatedAt: number;
}

export interface StoredSilence {
  readonly id: string;
  readonly matchers: readonly CompiledMatcher[];
  readonly startsAt: number;
  endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
  updatedAt: number;
}

const MAX_TEXT = 1024;

function optionalText(value: unknown, what: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > MAX_TEXT) {
    throw new AlertValidationError(
      'INVALID_SILENCE',
      `${what} must be a string of at most ${MAX_TEXT} characters, got ${describeValue(value)}`,
    );
  }
  return value;
}

function time(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AlertValidationError(
      'INVALID_SILENCE',
      `${what} must be epoch milliseconds, got ${describeValue(value)}`,
    );
  }
  return value;
}

let counter = 0;
function newSilenceId(): string {
  const uuid = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID;
  return uuid
    ? uuid.call((globalThis as { crypto?: unknown }).crypto)
    : `silence-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

/**
 * Silences as in Alertmanager: label matchers with a time range. A silence mutes matching
 * alerts while `startsAt <= now < endsAt`; it expires by itself. Bounded: expired silences
 * are pruned first when the limit is reached, then adding fails with {@link AlertLimitError}.
 */
export class SilenceStore {
  private readonly silences = new Map<string, StoredSilence>();

  constructor(
    private readonly limit: number,
    private readonly maxRegexLength: number,
  ) {}

  get size(): number {
    return this.silences.size;
  }

  /** Validates a silence without storing it. */
  parse(init: unknown, now: number, id?: string): StoredSilence {
    if (init === null || typeof init !== 'object' || Array.isArray(init)) {
      throw new AlertValidationError(
        'INVALID_SILENCE',
        `a silence must be an object {matchers, startsAt?, endsAt}, got ${describeValue(init)}`,
      );
    }
    const raw = init as Record<string, unknown>;
    const matchers = compileMatchers(raw['matchers'], 'silence matchers', this.maxRegexLength);
    const empty = Object.create(null) as Labels;
    if (matchers.every((m) => m.matches(empty))) {
      // As Alertmanager: a silence whose matchers all match the empty label set would mute everything.
      throw new AlertValidationError('INVALID_SILENCE', 'at least one silence matcher must not match the empty string');
    }
    const startsAt = raw['startsAt'] === undefined ? now : time(raw['startsAt'], 'startsAt');
    const endsAt = time(raw['endsAt'], 'endsAt');
    if (endsAt <= startsAt) {
      throw new AlertValidationError('INVALID_SILENCE', `endsAt (${endsAt}) must be after startsAt (${startsAt})`);
    }
    return {
      id: id ?? newSilenceId(),
      matchers,
      startsAt,
      endsAt,
      createdBy: optionalText(raw['createdBy'], 'createdBy'),
      comment: optionalText(raw['comment'], 'comment'),
      updatedAt: Math.min(now, startsAt),
    };
  }

  add(silence: StoredSilence, now: number): void {
    if (this.silences.size >= this.limit) this.pruneExpired(now);
    if (this.silences.size >= this.limit) {
      throw new AlertLimitError('SILENCE_LIMIT', `at most ${this.limit} silences are kept`, this.limit);
    }
    this.silences.set(silence.id, silence);
  }

  /** Ends a silence now. False when unknown or already expired. */
  expire(id: unknown, now: number): boolean {
    if (typeof id !== 'string') return false;
    const s = this.silences.get(id);
    if (!s || isExpired(s, now)) return false;
    // A silence that has not started yet becomes empty (endsAt = startsAt): it never mutes.
    s.endsAt = Math.max(now, s.startsAt);
    s.updatedAt = now;
    return true;
  }

  /** Ids of the silences active at `now` that match `labels`. */
  matching(labels: Labels, now: number): string[] {
    const out: string[] = [];
    for (const s of this.silences.values()) {
      if (s.startsAt <= now && now < s.endsAt && matchesAll(s.matchers, labels)) out.push(s.id);
    }
    return out;
  }

  list(now: number): Silence[] {
    return [...this.silences.values()].map((s) => toSilence(s, now));
  }

  get(id: string, now: number): Silence | undefined {
    const s = this.silences.get(id);
    return s ? toSilence(s, now) : undefined;
  }

  /** Every future start or end time, for timers that re-check mutes exactly then. */
  boundaries(now: number): number[] {
    const out: number[] = [];
    for (const s of this.silences.values()) {
      if (isExpired(s, now)) continue;
      if (s.startsAt > now) out.push(s.startsAt);
      out.push(s.endsAt);
    }
    return out;
  }

  replaceAll(silences: readonly StoredSilence[]): void {
    this.silences.clear();
    for (const s of silences) this.silences.set(s.id, s);
  }

  private pruneExpired(now: number): void {
    for (const [id, s] of this.silences) if (isExpired(s, now)) this.silences.delete(id);
  }
}

function isExpired(s: StoredSilence, now: number): boolean {
  return now >= s.endsAt || s.endsAt <= s.startsAt;
}

function toSilence(s: StoredSilence, now: number): Silence {
  return Object.freeze({
    id: s.id,
    matchers: Object.freeze(s.matchers.map((m) => m.matcher)),
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    createdBy: s.createdBy,
    comment: s.comment,
    status: isExpired(s, now) ? 'expired' : now < s.startsAt ? 'pending' : 'active',
    updatedAt: s.updatedAt,
  });
}
