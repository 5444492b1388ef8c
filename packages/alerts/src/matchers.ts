import { describeValue, isValidLabelName, type Labels } from '@obs/core';
import { RE2JS } from 're2js';
import { AlertValidationError } from './errors';

/**
 * An Alertmanager label matcher: `name=value`, `name!=value`, `name=~regex`, `name!~regex`.
 * `isEqual` defaults to true (as in Alertmanager API v2). A label that an alert lacks
 * has the value `''`, so `{name: 'team', value: ''}` matches alerts without a team.
 */
export interface Matcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex?: boolean;
  readonly isEqual?: boolean;
}

/** A validated matcher with its test compiled once. */
export interface CompiledMatcher {
  readonly matcher: Matcher;
  matches(labels: Labels): boolean;
}

export const DEFAULT_MAX_REGEX_LENGTH = 1024;
const MAX_VALUE_LENGTH = 4096;
const MAX_MATCHERS = 64;

/**
 * Validates and compiles one matcher. Regexes use RE2 syntax through `re2js`, as
 * Alertmanager's do: matching takes time linear in the value's length whatever the
 * pattern (no catastrophic backtracking on `(a+)+`), and a regex must match the whole
 * value (anchored like Alertmanager's `^(?:re)$`). Backreferences and lookarounds are
 * not RE2 and are refused. Errors are {@link AlertValidationError}.
 */
export function compileMatcher(input: unknown, maxRegexLength = DEFAULT_MAX_REGEX_LENGTH): CompiledMatcher {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new AlertValidationError(
      'INVALID_MATCHER',
      `a matcher must be an object {name, value, isRegex?, isEqual?}, got ${describeValue(input)}`,
    );
  }
  const raw = input as Record<string, unknown>;
  const { name, value } = raw;
  const isRegex = raw['isRegex'] ?? false;
  const isEqual = raw['isEqual'] ?? true;
  if (typeof name !== 'string' || !isValidLabelName(name)) {
    throw new AlertValidationError('INVALID_MATCHER', `matcher name must be a label name, got ${describeValue(name)}`);
  }
  if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH) {
    throw new AlertValidationError(
      'INVALID_MATCHER',
      `matcher ${name} value must be a string of at most ${MAX_VALUE_LENGTH} characters, got ${describeValue(value)}`,
    );
  }
  if (typeof isRegex !== 'boolean' || typeof isEqual !== 'boolean') {
    throw new AlertValidationError('INVALID_MATCHER', `matcher ${name}: isRegex and isEqual must be booleans`);
  }
  const matcher: Matcher = Object.freeze({ name, value, isRegex, isEqual });
  let test: (v: string) => boolean;
  if (isRegex) {
    if (value.length > maxRegexLength) {
      throw new AlertValidationError(
        'INVALID_MATCHER',
        `matcher ${name} regex is longer than ${maxRegexLength} characters`,
      );
    }
    let re: RE2JS;
    try {
      re = RE2JS.compile(value);
    } catch (error) {
      throw new AlertValidationError(
        'INVALID_MATCHER',
        `matcher ${name} has an invalid RE2 regex: ${(error as Error).message}`,
        { cause: error },
      );
    }
    test = (v) => re.testExact(v);
  } else {
    test = (v) => v === value;
  }
  return {
    matcher,
    matches: (labels) => test(labels[name] ?? '') === isEqual,
  };
}

/** Compiles a non-empty list of matchers (all must match). */
export function compileMatchers(input: unknown, what: string, maxRegexLength?: number): CompiledMatcher[] {
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_MATCHERS) {
    throw new AlertValidationError(
      'INVALID_MATCHER',
      `${what} must be an array of 1 to ${MAX_MATCHERS} matchers, got ${describeValue(input)}`,
    );
  }
  return input.map((m) => compileMatcher(m, maxRegexLength));
}

export function matchesAll(matchers: readonly CompiledMatcher[], labels: Labels): boolean {
  for (const m of matchers) if (!m.matches(labels)) return false;
  return true;
}

/**
 * The label set that matchers, inhibition, grouping and Alertmanager see: the alert's labels
 * plus `alertname` (its name) and `severity`, unless the labels already define those.
 */
export function alertMatchLabels(alert: { name: string; severity: string; labels: Labels }): Labels {
  const out = Object.create(null) as Record<string, string>;
  out['alertname'] = alert.name;
  out['severity'] = alert.severity;
  for (const key of Object.keys(alert.labels)) out[key] = alert.labels[key] as string;
  return out;
}

const MATCHER_TEXT = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/**
 * Parses one matcher in Alertmanager/PromQL text form: `name="value"`, `name!="value"`,
 * `name=~"regex"`, `name!~"regex"`; the value may also be unquoted (`team=db`). Inside double
 * quotes `\"`, `\\`, `\n`, `\r` and `\t` are escapes. Errors are {@link AlertValidationError}.
 */
export function parseMatcher(text: unknown): Matcher {
  if (typeof text !== 'string' || text.length > MAX_VALUE_LENGTH + 300) {
    throw new AlertValidationError(
      'INVALID_MATCHER',
      `a matcher must be a string like name="value", got ${describeValue(text)}`,
    );
  }
  const m = MATCHER_TEXT.exec(text);
  if (!m)
    throw new AlertValidationError(
      'INVALID_MATCHER',
      `cannot parse matcher ${describeValue(text)} (expected name="value", name!="value", name=~"re" or name!~"re")`,
    );
  const [, name, op, rawValue] = m as unknown as [string, string, string, string];
  let value = rawValue;
  if (rawValue.startsWith('"')) {
    if (rawValue.length < 2 || !rawValue.endsWith('"'))
      throw new AlertValidationError('INVALID_MATCHER', `unterminated quoted value in matcher ${describeValue(text)}`);
    value = '';
    const body = rawValue.slice(1, -1);
    for (let i = 0; i < body.length; i++) {
      const c = body[i] as string;
      if (c === '\\' && i + 1 < body.length) {
        const next = body[++i] as string;
        value += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next;
      } else if (c === '"') {
        throw new AlertValidationError('INVALID_MATCHER', `unescaped quote in matcher ${describeValue(text)}`);
      } else {
        value += c;
      }
    }
  }
  return { name, value, isRegex: op === '=~' || op === '!~', isEqual: op === '=' || op === '=~' };
}

/** Parses `{a="b", c=~"d"}` or `a="b",c=~"d"` into matchers (commas inside quotes are kept). */
export function parseMatchers(text: string): Matcher[] {
  let body = text.trim();
  if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1);
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\' && quoted) {
      current += c + (body[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current.trim() !== '') parts.push(current);
  return parts.map(parseMatcher);
}

/** The text form of a matcher (`name=~"value"`), as amtool prints it. */
export function formatMatcher(m: Matcher): string {
  const op = (m.isEqual ?? true) ? ((m.isRegex ?? false) ? '=~' : '=') : (m.isRegex ?? false) ? '!~' : '!=';
  const escaped = m.value.replace(
    /[\\"\n\r\t]/g,
    (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] as string,
  );
  return `${m.name}${op}"${escaped}"`;
}
