import { describeValue, isValidLabelName, type Labels } from '@obs/core';
import { AlertValidationError } from './errors';
import { compileMatchers, matchesAll, type CompiledMatcher, type Matcher } from './matchers';

/**
 * An Alertmanager inhibition rule: while an alert matching `sourceMatchers` is firing,
 * alerts matching `targetMatchers` are muted if they have the same values for every label
 * in `equal` (a label missing on both sides counts as equal). An alert never inhibits itself, and
 * an alert matching both sides is only inhibited by sources that do not match the target side.
 *
 * @example critical inhibits warning for the same service
 * { sourceMatchers: [{ name: 'severity', value: 'critical' }],
 *   targetMatchers: [{ name: 'severity', value: 'warning' }], equal: ['service'] }
 */
export interface InhibitRule {
  readonly sourceMatchers: readonly Matcher[];
  readonly targetMatchers: readonly Matcher[];
  readonly equal?: readonly string[];
}

export interface CompiledInhibitRule {
  readonly id: string;
  readonly rule: InhibitRule;
  readonly source: readonly CompiledMatcher[];
  readonly target: readonly CompiledMatcher[];
  readonly equal: readonly string[];
}

export function compileInhibitRule(input: unknown, id: string, maxRegexLength?: number): CompiledInhibitRule {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new AlertValidationError(
      'INVALID_INHIBIT_RULE',
      `an inhibition rule must be an object {sourceMatchers, targetMatchers, equal?}, got ${describeValue(input)}`,
    );
  }
  const raw = input as Record<string, unknown>;
  const source = compileMatchers(raw['sourceMatchers'], 'sourceMatchers', maxRegexLength);
  const target = compileMatchers(raw['targetMatchers'], 'targetMatchers', maxRegexLength);
  const equalRaw = raw['equal'] ?? [];
  if (
    !Array.isArray(equalRaw) ||
    equalRaw.length > 64 ||
    !equalRaw.every((n) => typeof n === 'string' && isValidLabelName(n))
  ) {
    throw new AlertValidationError(
      'INVALID_INHIBIT_RULE',
      `equal must be an array of at most 64 label names, got ${describeValue(equalRaw)}`,
    );
  }
  const equal = Object.freeze([...(equalRaw as string[])]);
  const rule: InhibitRule = Object.freeze({
    sourceMatchers: Object.freeze(source.map((m) => m.matcher)),
    targetMatchers: Object.freeze(target.map((m) => m.matcher)),
    equal,
  });
  return { id, rule, source, target, equal };
}

function equalKey(rule: CompiledInhibitRule, labels: Labels): string {
  return JSON.stringify(rule.equal.map((n) => labels[n] ?? ''));
}

type KeyIndex = Map<string, Map<string, Set<string>>>;

/**
 * Incremental index of inhibition: for each rule and equal-label key, the firing source
 * alerts and the target alerts. Sources that also match the target side are kept apart:
 * as in Alertmanager, an alert matching both sides cannot be inhibited by alerts that
 * match both sides too (no mutual muting). Changing a source returns the targets that
 * must be re-checked, so a storm costs O(affected alerts), not O(all alerts).
 */
export class InhibitionIndex {
  private readonly sources: KeyIndex = new Map();
  private readonly sourceOnly: KeyIndex = new Map();
  private readonly targets: KeyIndex = new Map();

  constructor(private readonly rules: readonly CompiledInhibitRule[]) {}

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Registers a firing alert as a source; returns the fingerprints of the targets it may now inhibit. */
  addSource(fingerprint: string, labels: Labels): string[] {
    return this.changeSource(fingerprint, labels, true);
  }

  /** Removes a source (resolved or gone); returns the targets to re-check. */
  removeSource(fingerprint: string, labels: Labels): string[] {
    return this.changeSource(fingerprint, labels, false);
  }

  addTarget(fingerprint: string, labels: Labels): void {
    for (const rule of this.rules)
      if (matchesAll(rule.target, labels)) add(this.targets, rule.id, equalKey(rule, labels), fingerprint);
  }

  removeTarget(fingerprint: string, labels: Labels): void {
    for (const rule of this.rules)
      if (matchesAll(rule.target, labels)) remove(this.targets, rule.id, equalKey(rule, labels), fingerprint);
  }

  /** Ids of the rules that inhibit this alert. */
  inhibitedBy(fingerprint: string, labels: Labels): string[] {
    const out: string[] = [];
    for (const rule of this.rules) {
      if (!matchesAll(rule.target, labels)) continue;
      const twoSided = matchesAll(rule.source, labels);
      const fps = (twoSided ? this.sourceOnly : this.sources).get(rule.id)?.get(equalKey(rule, labels));
      if (!fps) continue;
      if (fps.size > 1 || !fps.has(fingerprint)) out.push(rule.id);
    }
    return out;
  }

  private changeSource(fingerprint: string, labels: Labels, adding: boolean): string[] {
    const affected: string[] = [];
    for (const rule of this.rules) {
      if (!matchesAll(rule.source, labels)) continue;
      const key = equalKey(rule, labels);
      const op = adding ? add : remove;
      op(this.sources, rule.id, key, fingerprint);
      if (!matchesAll(rule.target, labels)) op(this.sourceOnly, rule.id, key, fingerprint);
      const targets = this.targets.get(rule.id)?.get(key);
      if (targets) for (const fp of targets) affected.push(fp);
    }
    return affected;
  }
}

function add(index: KeyIndex, ruleId: string, key: string, fingerprint: string): void {
  let byKey = index.get(ruleId);
  if (!byKey) index.set(ruleId, (byKey = new Map()));
  let fps = byKey.get(key);
  if (!fps) byKey.set(key, (fps = new Set()));
  fps.add(fingerprint);
}

function remove(index: KeyIndex, ruleId: string, key: string, fingerprint: string): void {
  const byKey = index.get(ruleId);
  const fps = byKey?.get(key);
  if (!byKey || !fps) return;
  fps.delete(fingerprint);
  if (fps.size === 0) byKey.delete(key);
}
