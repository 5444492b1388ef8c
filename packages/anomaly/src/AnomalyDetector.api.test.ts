import { describe, expect, it } from 'vitest';
import { of } from 'rxjs';
import { ObsValidationError } from '@obs/core';
import { createAnomalyDetector } from './AnomalyDetector';
import type { PointLike } from './Anomaly';
import { noisySeries } from './test-support/series';

function detectorWithOneSpike() {
  const detector = createAnomalyDetector();
  const values = noisySeries(5, 200, 100, 4);
  values[150] = 180;
  values.forEach((v, i) => detector.detect('latency', v, { host: 'a' }, (i + 1) * 1000));
  return detector;
}

describe('AnomalyDetector public surface', () => {
  it('watch() rejects a source that is not an Observable with a typed error, at call time', () => {
    const detector = createAnomalyDetector();
    for (const bad of [null, undefined, 5, {}, [{ name: 'm', value: 1 }]]) {
      expect(() => detector.watch(bad as never)).toThrow(ObsValidationError);
      expect(() => detector.watch(bad as never)).toThrow(expect.objectContaining({ code: 'INVALID_SOURCE' }));
    }
    expect(() => detector.watch(of<PointLike>({ name: 'm', value: 1 }))).not.toThrow();
  });

  it('rejectedPoints is a read-only counter', () => {
    const detector = createAnomalyDetector();
    detector.watch(of({ name: '', value: 1 } as PointLike)).subscribe();
    expect(detector.rejectedPoints).toBe(1);
    expect(() => {
      (detector as unknown as { rejectedPoints: number }).rejectedPoints = -5;
    }).toThrow(TypeError);
    expect(detector.rejectedPoints).toBe(1);
  });

  it('an anomaly handed out cannot be changed under the history or other consumers', () => {
    const detector = detectorWithOneSpike();
    const [anomaly] = detector.getDetectedAnomalies();
    expect(anomaly).toMatchObject({ anomalyType: 'spike', actualValue: 180 });
    expect(() => {
      (anomaly as { actualValue: number }).actualValue = 0;
    }).toThrow(TypeError);
    expect(() => {
      (anomaly!.details as { reason: string }).reason = 'changed';
    }).toThrow(TypeError);
    expect(detector.getDetectedAnomalies()[0]).toMatchObject({ actualValue: 180 });
    expect(detector.getDetectedAnomalies()[0]!.details.reason).not.toBe('changed');
  });
});
