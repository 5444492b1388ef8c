import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBinary } from '@obs/testing';
import { alertmanagerConfig, fleetRules, prometheusConfig, sloQueries } from './fleetFiles';

const promtool = requireBinary('promtool');
const dir = mkdtempSync(join(tmpdir(), 'obs-fleet-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const slos = [
  { sloId: 'vision-availability-local', name: 'Vision availability (local)', target: 99.5, windowDays: 30 },
  { sloId: 'vision-latency-local', name: 'Vision latency (local)', target: 95, windowDays: 30 },
  { sloId: 'demo-uploads-by-sample', name: 'Demo uploads by sample', target: 80, windowDays: 1 },
];

describe('fleet files', () => {
  it('maps the vision SLOs to PromQL and nothing else', () => {
    expect(sloQueries('vision-availability-local')?.errorQuery).toContain('error_type!~');
    expect(sloQueries('vision-latency-local')?.errorQuery).toContain('le="500"');
    expect(sloQueries('demo-uploads-by-sample')).toBeUndefined();
    expect(sloQueries('vision-availability-bad"label')).toBeUndefined();
  });

  it('writes rules, a Prometheus config and an Alertmanager config that the tools accept', () => {
    const { yaml, skipped } = fleetRules({ slos, timeScale: 60, targetDownFor: '10s' });
    expect(skipped).toEqual(['demo-uploads-by-sample']);
    expect(yaml).toContain('alert: VisionAvailabilityLocalErrorBudgetBurn');
    expect(yaml).toContain('alert: VisionLatencyLocalErrorBudgetBurn');
    expect(yaml).toContain('alert: TargetDown');
    const rulesFile = join(dir, 'rules.yml');
    writeFileSync(rulesFile, yaml);
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      prometheusConfig({
        scrapeInterval: '1s',
        evaluationInterval: '1s',
        targets: ['127.0.0.1:3001', '127.0.0.1:3002'],
        alertmanagers: ['127.0.0.1:9093', '127.0.0.1:9094'],
        ruleFile: rulesFile,
      }),
    );
    writeFileSync(join(dir, 'alertmanager.yml'), alertmanagerConfig());
    if (!promtool) return;
    const rules = spawnSync(promtool, ['check', 'rules', rulesFile], { encoding: 'utf8' });
    expect(rules.stdout + rules.stderr).toMatch(/SUCCESS: 3[0-9] rules found/);
    expect(rules.status).toBe(0);
    const checked = spawnSync(promtool, ['check', 'config', config], { encoding: 'utf8' });
    expect(checked.stdout + checked.stderr).toContain('SUCCESS');
    expect(checked.status).toBe(0);
    // A broken rule file fails the same check (the check can fail).
    writeFileSync(rulesFile, yaml.replace('up{job="obs-example"} == 0', 'up{job= == 0'));
    expect(spawnSync(promtool, ['check', 'rules', rulesFile], { encoding: 'utf8' }).status).not.toBe(0);
  });
});
