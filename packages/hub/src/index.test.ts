import * as core from '@obs/core';
import * as metrics from '@obs/metrics';
import * as tracing from '@obs/tracing';
import * as health from '@obs/health';
import * as alerts from '@obs/alerts';
import * as slo from '@obs/slo';
import * as anomaly from '@obs/anomaly';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as hub from './index';

// The hub lists the components' exports by name; this keeps the list complete as the components grow.
const components = { core, metrics, tracing, health, alerts, slo, anomaly } as const;

describe('@obs/hub re-exports', () => {
  for (const [name, module] of Object.entries(components)) {
    it(`every runtime export of @obs/${name}'s root entry, as the same binding`, () => {
      const exported = hub as Record<string, unknown>;
      const missing = Object.keys(module).filter((key) => !(key in exported));
      expect(missing, `add these to the @obs/${name} list in packages/hub/src/index.ts`).toEqual([]);
      for (const [key, value] of Object.entries(module)) expect(exported[key], key).toBe(value);
    });
  }

  it('leaves the HTTP toolkit to @obs/hub/http (its two error classes are in both, the same binding)', async () => {
    const http = (await import('./http/index')) as Record<string, unknown>;
    const exported = hub as Record<string, unknown>;
    const shared = ['BodyTooLargeError', 'BodyReadError'];
    expect(Object.keys(http).filter((key) => key in exported && !shared.includes(key))).toEqual([]);
    for (const key of shared) expect(http[key], key).toBe(exported[key]);
  });

  it('exports nothing from an internal/ folder', () => {
    const index = readFileSync(new URL('./index.ts', import.meta.url), 'utf8');
    expect(index).not.toMatch(/from '\.\/(?:[\w-]+\/)*internal\//);
  });
});
