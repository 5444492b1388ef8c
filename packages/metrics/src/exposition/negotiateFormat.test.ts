import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { negotiateFormat } from './negotiateFormat';

describe('negotiateFormat', () => {
  it.each([
    // What Prometheus 2.x sends when it prefers OpenMetrics.
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      'openmetrics',
    ],
    ['application/openmetrics-text; version=0.0.1', 'openmetrics'],
    ['application/openmetrics-text', 'openmetrics'],
    ['text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.9', 'prometheus'],
    ['text/plain', 'prometheus'],
    ['*/*', 'prometheus'],
    ['application/*', 'openmetrics'],
    ['application/json', 'prometheus'],
    ['application/openmetrics-text;version=2.0.0', 'prometheus'],
    ['application/openmetrics-text;q=0', 'prometheus'],
    ['application/openmetrics-text;q=0.5, text/plain;q=0.4', 'openmetrics'],
    ['text/plain;q=0.4, application/openmetrics-text;q=0.5', 'openmetrics'],
    ['text/plain, application/openmetrics-text', 'openmetrics'],
    ['APPLICATION/OpenMetrics-Text; Version="1.0.0"', 'openmetrics'],
    ['application/openmetrics-text;q=abc', 'prometheus'],
    ['application/openmetrics-text;foo="a,b;c", text/plain;q=0.1', 'openmetrics'],
    ['', 'prometheus'],
    [',,;;', 'prometheus'],
  ])('%s -> %s', (accept, expected) => {
    expect(negotiateFormat(accept)).toBe(expected);
  });

  it('accepts absent and array headers', () => {
    expect(negotiateFormat(undefined)).toBe('prometheus');
    expect(negotiateFormat(null)).toBe('prometheus');
    expect(negotiateFormat(['text/plain;q=0.1', 'application/openmetrics-text'])).toBe('openmetrics');
    expect(negotiateFormat(42)).toBe('prometheus');
  });

  test.prop([
    fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc
        .array(
          fc.constantFrom(
            'application/openmetrics-text',
            'text/plain',
            '*/*',
            ';',
            ',',
            '"',
            'q=',
            '0.5',
            '1',
            'version=1.0.0',
            ' ',
          ),
        )
        .map((p) => p.join('')),
    ),
  ])('never throws and always picks one of the two formats', (accept) => {
    expect(['prometheus', 'openmetrics']).toContain(negotiateFormat(accept));
  });
});
