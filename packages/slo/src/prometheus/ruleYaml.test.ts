import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toRuleYaml } from './ruleYaml';

describe('toRuleYaml', () => {
  it('writes a rule file in block style with literal PromQL', () => {
    const text = toRuleYaml({
      groups: [
        {
          name: 'slo',
          interval: '30s',
          rules: [{ record: 'slo:x', expr: 'sum(rate(a[5m]))\n/\nsum(rate(b[5m]))', labels: { slo: 'api' } }],
        },
      ],
    });
    expect(text).toBe(
      [
        'groups:',
        '  - name: slo',
        '    interval: 30s',
        '    rules:',
        '      - record: slo:x',
        '        expr: |-',
        '          sum(rate(a[5m]))',
        '          /',
        '          sum(rate(b[5m]))',
        '        labels:',
        '          slo: api',
        '',
      ].join('\n'),
    );
  });

  it('quotes what YAML would read as something else', () => {
    const tricky = [
      'true',
      'no',
      '1.5',
      '0x1f',
      '~',
      '',
      ' lead',
      'a: b',
      'x #y',
      '{{ $labels.route }}',
      '- item',
      '"q"',
      'tab\there',
      'null',
      '.inf',
      '1e3',
    ];
    for (const s of tricky) expect(parse(toRuleYaml({ s }))).toEqual({ s });
  });

  const text = fc.string({ unit: 'grapheme', maxLength: 40 });
  const leaf = fc.oneof(
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  const data = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(text, tie('node'), { maxKeys: 4 }),
    ),
  })).node;

  test.prop([fc.dictionary(text, data, { maxKeys: 5 })])('round-trips through a YAML parser', (value) => {
    expect(parse(toRuleYaml(value))).toEqual(
      JSON.parse(JSON.stringify(value, (_k, v: unknown) => (Object.is(v, -0) ? 0 : v))),
    );
  });
});
