import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  AlertValidationError,
  formatMatcher,
  parseMatcher,
  parseMatchers,
  renderAlert,
  renderTitle,
  type Matcher,
} from './index';
import { createAlert } from './Alert';

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/);
const matcher = fc.record({
  name: labelName,
  value: fc.string({ unit: 'binary', maxLength: 40 }),
  isRegex: fc.boolean(),
  isEqual: fc.boolean(),
});

describe('matcher text form', () => {
  test.prop([matcher])(
    'formatMatcher then parseMatcher gives the same matcher back (quotes, backslashes, unicode)',
    (m: Matcher) => {
      expect(parseMatcher(formatMatcher(m))).toEqual(m);
    },
  );

  test.prop([fc.array(matcher, { minLength: 1, maxLength: 5 })])(
    'a {…} list of formatted matchers parses back in order',
    (ms) => {
      expect(parseMatchers(`{${ms.map(formatMatcher).join(', ')}}`)).toEqual(ms);
    },
  );

  test.prop([fc.string({ maxLength: 60 })])(
    'any text either parses or throws AlertValidationError, nothing else',
    (text) => {
      try {
        parseMatcher(text);
      } catch (error) {
        expect(error).toBeInstanceOf(AlertValidationError);
      }
    },
  );

  it('accepts the forms amtool and Alertmanager configs use', () => {
    expect(parseMatcher('team=db')).toEqual({ name: 'team', value: 'db', isRegex: false, isEqual: true });
    expect(parseMatcher(' severity != "info" ')).toEqual({
      name: 'severity',
      value: 'info',
      isRegex: false,
      isEqual: false,
    });
    expect(parseMatcher('service=~"api|web"')).toEqual({
      name: 'service',
      value: 'api|web',
      isRegex: true,
      isEqual: true,
    });
    expect(parseMatcher('path!~"/a\\\\d+"')).toEqual({ name: 'path', value: '/a\\d+', isRegex: true, isEqual: false });
    expect(parseMatchers('{a="1,2", b=~"x"}')).toEqual([
      { name: 'a', value: '1,2', isRegex: false, isEqual: true },
      { name: 'b', value: 'x', isRegex: true, isEqual: true },
    ]);
    for (const bad of ['', '=x', '1a=b', 'a="unterminated', 'a="x"y"'])
      expect(() => parseMatcher(bad), bad).toThrow(AlertValidationError);
  });
});

describe('templates', () => {
  const scopeText = fc.string({ maxLength: 30 });
  test.prop([
    fc.string({ maxLength: 200 }),
    fc.dictionary(labelName, scopeText, { maxKeys: 4 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  ])('any template string renders without throwing; text outside placeholders is kept', (template, labels, value) => {
    const alert = createAlert({ name: 'A', labels, value });
    const n = {
      groupKey: 'g',
      receiver: 'r',
      groupLabels: labels,
      status: 'firing' as const,
      alerts: [alert],
      timestamp: 0,
    };
    const title = renderTitle(template, n);
    const line = renderAlert(template, alert);
    if (!template.includes('{{')) {
      expect(title).toBe(template);
      expect(line).toBe(template);
    }
  });

  test.prop([labelName, scopeText])(
    '{{labels.x}} renders the label value exactly (no escaping, no evaluation)',
    (name, value) => {
      const alert = createAlert({ name: 'A', labels: { [name]: value } });
      expect(renderAlert(`<{{labels.${name}}}>`, alert)).toBe(`<${value}>`);
    },
  );

  it('placeholders cannot reach prototypes or functions', () => {
    const alert = createAlert({ name: 'A' });
    expect(renderAlert('{{constructor}}{{labels.__proto__}}{{name.length}}', alert)).toBe('');
  });
});
