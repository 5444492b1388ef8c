/**
 * A strict OpenMetrics 1.0 text parser for tests (not part of the package build:
 * nothing in src/index.ts imports it). It rejects everything the spec forbids that
 * our exposition could plausibly get wrong: bad names, bad escapes, raw newlines or
 * quotes in label values, duplicate or interleaved families, samples that do not
 * belong to their family, non-cumulative or unordered histogram buckets, a missing
 * `+Inf` bucket or a `_count` that disagrees with it, negative counters, a UNIT that
 * is not a suffix of the family name, and anything after `# EOF`.
 * With `{ prometheus: true }` it reads the 0.0.4 text format instead (no EOF, TYPE
 * names the sample for counters, HELP escapes only backslash and newline).
 * Exemplars (` # {labels} value [timestamp]`) are accepted only in OpenMetrics, only on
 * counter `_total` and histogram `_bucket` samples, with at most 128 characters of label
 * names and values, and a bucket's exemplar value must lie within its bucket.
 */
export interface ParsedExemplar {
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  exemplar?: ParsedExemplar;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help?: string;
  unit?: string;
  samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const OM_TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'stateset', 'info', 'summary', 'unknown']);
const PROM_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export class ParseError extends Error {}

function parseNumber(text: string, line: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!NUMBER.test(text)) throw new ParseError(`line ${line}: bad number ${JSON.stringify(text)}`);
  return Number(text);
}

function unescapeText(text: string, quoteAllowed: boolean, line: number): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const n = text[++i];
      if (n === '\\') out += '\\';
      else if (n === 'n') out += '\n';
      else if (n === '"' && quoteAllowed) out += '"';
      else throw new ParseError(`line ${line}: bad escape \\${n ?? ''}`);
    } else out += c;
  }
  return out;
}

function parseLabels(text: string, line: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = 1; // after '{'
  if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
  for (;;) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new ParseError(`line ${line}: label without =`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new ParseError(`line ${line}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new ParseError(`line ${line}: duplicate label ${name}`);
    if (text[eq + 1] !== '"') throw new ParseError(`line ${line}: label value must be quoted`);
    let j = eq + 2;
    let raw = '';
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new ParseError(`line ${line}: unterminated label value`);
      if (c === '\\') {
        raw += c + (text[j + 1] ?? '');
        j += 2;
        continue;
      }
      if (c === '"') break;
      raw += c;
      j++;
    }
    labels[name] = unescapeText(raw, true, line);
    j++;
    if (text[j] === ',') {
      i = j + 1;
      if (text[i] === '}') throw new ParseError(`line ${line}: trailing comma in labels`);
      continue;
    }
    if (text[j] === '}') return { labels, rest: text.slice(j + 1) };
    throw new ParseError(`line ${line}: expected , or } after label value`);
  }
}

function sampleBelongs(family: ParsedFamily, sample: string, prometheus: boolean): boolean {
  const n = family.name;
  switch (family.type) {
    case 'counter':
      return prometheus ? sample === n : sample === n + '_total' || sample === n + '_created';
    case 'histogram':
    case 'gaugehistogram':
      return [n + '_bucket', n + '_count', n + '_sum', n + '_created', n + '_gcount', n + '_gsum'].includes(sample);
    case 'summary':
      return [n, n + '_count', n + '_sum', n + '_created'].includes(sample);
    case 'info':
      return sample === n + '_info';
    default:
      return sample === n;
  }
}

function labelSetKey(labels: Record<string, string>, skip?: string): string {
  return JSON.stringify(
    Object.keys(labels)
      .filter((k) => k !== skip)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

function checkHistogram(family: ParsedFamily): void {
  const groups = new Map<string, { les: number[]; counts: number[]; count?: number }>();
  for (const s of family.samples) {
    const key = labelSetKey(s.labels, 'le');
    const g = groups.get(key) ?? { les: [], counts: [] };
    groups.set(key, g);
    if (s.name.endsWith('_bucket')) {
      if (!('le' in s.labels)) throw new ParseError(`${family.name}: bucket without le`);
      const le = parseNumber(s.labels.le!, 0);
      const below = g.les.at(-1) ?? -Infinity;
      if (s.exemplar && !(s.exemplar.value <= le && s.exemplar.value > below)) {
        throw new ParseError(`${family.name}: exemplar ${s.exemplar.value} outside its bucket (${below}, ${le}]`);
      }
      g.les.push(le);
      g.counts.push(s.value);
    } else if (s.name.endsWith('_count')) g.count = s.value;
  }
  for (const g of groups.values()) {
    for (let i = 1; i < g.les.length; i++) {
      if (!(g.les[i]! > g.les[i - 1]!)) throw new ParseError(`${family.name}: buckets not in increasing le order`);
      if (g.counts[i]! < g.counts[i - 1]!) throw new ParseError(`${family.name}: bucket counts not cumulative`);
    }
    if (g.les.at(-1) !== Infinity) throw new ParseError(`${family.name}: missing +Inf bucket`);
    if (g.count !== undefined && g.count !== g.counts.at(-1))
      throw new ParseError(`${family.name}: _count differs from +Inf bucket`);
  }
}

export function parseExposition(text: string, options: { prometheus?: boolean } = {}): ParsedFamily[] {
  const prometheus = options.prometheus ?? false;
  const families: ParsedFamily[] = [];
  const seen = new Set<string>();
  let current: ParsedFamily | undefined;
  const seenSamples = new Set<string>();
  if (!text.endsWith('\n') && text.length > 0) throw new ParseError('exposition must end with a newline');
  const lines = text.split('\n');
  lines.pop();
  let eof = false;
  const startFamily = (name: string) => {
    if (current?.name === name) return current;
    if (seen.has(name)) throw new ParseError(`family ${name} is interleaved or repeated`);
    seen.add(name);
    current = { name, type: prometheus ? 'untyped' : 'unknown', samples: [] };
    families.push(current);
    return current;
  };
  lines.forEach((line, index) => {
    const no = index + 1;
    if (eof) throw new ParseError(`line ${no}: content after # EOF`);
    if (line === '# EOF') {
      if (prometheus) throw new ParseError('# EOF is not part of the 0.0.4 format');
      eof = true;
      return;
    }
    if (line.startsWith('#')) {
      const m = /^# (TYPE|HELP|UNIT) ([^ ]+)(?: (.*))?$/.exec(line);
      if (!m) {
        if (prometheus) return; // 0.0.4 allows other comments
        throw new ParseError(`line ${no}: bad metadata line`);
      }
      const [, kind, name, rest = ''] = m as unknown as [string, string, string, string | undefined];
      if (!METRIC_NAME.test(name)) throw new ParseError(`line ${no}: bad metric name ${name}`);
      const family = startFamily(name);
      if (family.samples.length > 0) throw new ParseError(`line ${no}: metadata after samples of ${name}`);
      if (kind === 'TYPE') {
        if (!(prometheus ? PROM_TYPES : OM_TYPES).has(rest)) throw new ParseError(`line ${no}: bad type ${rest}`);
        family.type = rest;
      } else if (kind === 'HELP') {
        if (family.help !== undefined) throw new ParseError(`line ${no}: second HELP for ${name}`);
        family.help = unescapeText(rest, !prometheus, no);
      } else {
        if (prometheus) throw new ParseError('UNIT is not part of the 0.0.4 format');
        if (!name.endsWith('_' + rest)) throw new ParseError(`line ${no}: unit ${rest} is not a suffix of ${name}`);
        family.unit = rest;
      }
      return;
    }
    if (line === '') {
      if (prometheus) return;
      throw new ParseError(`line ${no}: empty line`);
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new ParseError(`line ${no}: bad sample name`);
    const sampleName = nameMatch[0];
    let rest = line.slice(sampleName.length);
    let labels: Record<string, string> = Object.create(null) as Record<string, string>;
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, no));
    if (!rest.startsWith(' ')) throw new ParseError(`line ${no}: expected a space before the value`);
    let exemplar: ParsedExemplar | undefined;
    const hash = rest.indexOf(' # ');
    if (hash >= 0) {
      if (prometheus) throw new ParseError(`line ${no}: exemplars are not part of the 0.0.4 format`);
      const exText = rest.slice(hash + 3);
      rest = rest.slice(0, hash);
      if (!exText.startsWith('{')) throw new ParseError(`line ${no}: exemplar labels expected`);
      const parsed = parseLabels(exText, no);
      const chars = Object.entries(parsed.labels).reduce((n, [k, v]) => n + k.length + [...v].length, 0);
      if (chars > 128) throw new ParseError(`line ${no}: exemplar labels longer than 128 characters`);
      if (!parsed.rest.startsWith(' ')) throw new ParseError(`line ${no}: expected a space before the exemplar value`);
      const exParts = parsed.rest.slice(1).split(' ');
      if (exParts.length > 2 || exParts[0] === '') throw new ParseError(`line ${no}: bad exemplar value/timestamp`);
      exemplar = { labels: parsed.labels, value: parseNumber(exParts[0]!, no) };
      if (exParts[1] !== undefined) exemplar.timestamp = parseNumber(exParts[1], no);
    }
    const parts = rest.slice(1).split(' ');
    if (parts.length > 2 || parts[0] === '') throw new ParseError(`line ${no}: bad value/timestamp`);
    const value = parseNumber(parts[0]!, no);
    let family = current;
    if (!family || !sampleBelongs(family, sampleName, prometheus)) {
      if (prometheus) {
        // 0.0.4: a sample may belong to a typed family or start an untyped one.
        const base = families.find((f) => sampleBelongs(f, sampleName, true));
        if (base && base !== current) throw new ParseError(`line ${no}: sample ${sampleName} is interleaved`);
        family = base ?? startFamily(sampleName);
      } else
        throw new ParseError(`line ${no}: sample ${sampleName} does not belong to family ${current?.name ?? '(none)'}`);
    }
    if (family.type === 'counter' && (value < 0 || value !== value))
      throw new ParseError(`line ${no}: counter value must be >= 0`);
    const dup = sampleName + labelSetKey(labels);
    if (seenSamples.has(dup)) throw new ParseError(`line ${no}: duplicate sample ${sampleName}`);
    seenSamples.add(dup);
    if (exemplar) {
      const ok =
        (family.type === 'counter' && sampleName.endsWith('_total')) ||
        (family.type === 'histogram' && sampleName.endsWith('_bucket'));
      if (!ok)
        throw new ParseError(
          `line ${no}: exemplar on ${sampleName} (only counter _total and histogram _bucket samples may have one)`,
        );
    }
    family.samples.push(exemplar ? { name: sampleName, labels, value, exemplar } : { name: sampleName, labels, value });
  });
  if (!prometheus && !eof) throw new ParseError('missing # EOF');
  for (const f of families) if (f.type === 'histogram') checkHistogram(f);
  return families;
}
