import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { AlertValidationError, createAlertManager } from './index';
import { compileMatcher } from './matchers';

describe('regex matchers run on RE2 (linear time)', () => {
  it('(a+)+ as a silence against a long label value costs microseconds, not seconds', () => {
    const alerts = createAlertManager();
    alerts.addSilence({ matchers: [{ name: 'path', value: '(a+)+', isRegex: true }], endsAt: Date.now() + 60_000 });
    // Under the 2048-character label value limit; a backtracking engine would never finish this.
    const value = 'a'.repeat(2000) + 'b';
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) alerts.fireAlert({ name: 'Slow', labels: { path: value, i: String(i) } });
    const perCall = (performance.now() - t0) / 20;
    expect(perCall).toBeLessThan(50); // generous for a loaded machine; a backtracker takes 469 ms at 27 chars
    expect(alerts.getFiringAlerts()).toHaveLength(20); // not silenced: the value does not match
    alerts.fireAlert({ name: 'Slow', labels: { path: 'aaaa' } });
    expect(alerts.getFiringAlerts()).toHaveLength(20); // 'aaaa' matches (a+)+: silenced
  });

  it('anchored at both ends; RE2-only syntax errors are AlertValidationError', () => {
    const m = compileMatcher({ name: 'service', value: 'api|web', isRegex: true });
    expect(m.matches({ service: 'api' })).toBe(true);
    expect(m.matches({ service: 'apix' })).toBe(false);
    expect(m.matches({ service: 'xweb' })).toBe(false);
    const neg = compileMatcher({ name: 'service', value: 'api.*', isRegex: true, isEqual: false });
    expect(neg.matches({ service: 'api-1' })).toBe(false);
    expect(neg.matches({ service: 'web' })).toBe(true);
    for (const bad of ['(', '(?=a)b', '(a)\\1', 'a{2,1}']) {
      expect(() => compileMatcher({ name: 'x', value: bad, isRegex: true })).toThrow(AlertValidationError);
    }
  });

  test.prop([fc.stringMatching(/^[a-z0-9_.-]{0,20}$/), fc.stringMatching(/^[a-z0-9_-]{0,20}$/)])(
    'a literal pattern (no metacharacters except .) matches like the equivalent JavaScript RegExp',
    (pattern, value) => {
      const m = compileMatcher({ name: 'x', value: pattern, isRegex: true });
      expect(m.matches({ x: value })).toBe(new RegExp(`^(?:${pattern})$`).test(value));
    },
  );
});
