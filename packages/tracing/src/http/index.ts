export { instrumentHttp } from './instrumentHttp';
export type { InstrumentHttpOptions, HttpMetricsRecorder } from './instrumentHttp';
export { SERVER_DURATION, CLIENT_DURATION, DURATION_BUCKETS_SECONDS } from './semconv';
