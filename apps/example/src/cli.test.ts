import { describe, expect, it } from 'vitest';
import { CliError, parseCli } from './cli';

describe('parseCli', () => {
  it('has the documented defaults', () => {
    expect(parseCli([], {})).toEqual({ host: '127.0.0.1', port: 3000, demo: false, help: false, token: undefined, metricsToken: undefined, stateFile: undefined, snapshotIntervalSeconds: 15, traceSampleRate: 0.25, maxConnections: undefined, headersTimeoutMs: undefined, otel: false });
  });

  it('reads --demo, PORT, HOST and the OBS_ variables', () => {
    const config = parseCli(['--demo'], { PORT: '8080', HOST: '0.0.0.0', OBS_TOKEN: 'x'.repeat(20), OBS_STATE_FILE: '/tmp/s.json', OBS_SNAPSHOT_INTERVAL_SECONDS: '0.5' });
    expect(config).toMatchObject({ demo: true, port: 8080, host: '0.0.0.0', token: 'x'.repeat(20), stateFile: '/tmp/s.json', snapshotIntervalSeconds: 0.5 });
  });

  it('reads OBS_OTEL=1 and --otel', () => {
    expect(parseCli([], { OBS_OTEL: '1' }).otel).toBe(true);
    expect(parseCli(['--otel'], {}).otel).toBe(true);
    expect(parseCli([], { OBS_OTEL: '0' }).otel).toBe(false);
  });

  it.each([
    [['--nope'], {}],
    [[], { PORT: 'abc' }],
    [[], { PORT: '70000' }],
    [[], { PORT: '1.5' }],
    [[], { HOST: 'a b' }],
    [[], { OBS_TOKEN: 'short' }],
    [[], { OBS_TOKEN: 'a'.repeat(20) + '\r\nX: y' }],
    [[], { OBS_SNAPSHOT_INTERVAL_SECONDS: '-1' }],
    [[], { OBS_TRACE_SAMPLE_RATE: 'NaN' }],
  ])('rejects %j %j with a CliError', (argv, env) => {
    expect(() => parseCli(argv, env)).toThrow(CliError);
  });
});
