/** `@obs/metrics/remote-write`: a Prometheus remote-write 1.0 client. */
export { RemoteWriteExporter, createRemoteWriteExporter, REMOTE_WRITE_VERSION } from './RemoteWriteExporter';
export type { RemoteWriteExporterConfig } from './RemoteWriteExporter';
export { WriteRequestEncoder, counterSampleName } from './writeRequest';
export type { WriteRequestOptions, EncodedWriteRequest } from './writeRequest';
export { snappyCompress, maxCompressedLength } from './snappy';
export type { PushExporterConfig, PushExporterStats } from '../export/PushExporter';
export type { MetricsExportEvent, ExportSucceededEvent, ExportFailedEvent, ExportDroppedEvent } from '../export/events';
export type { MetricsProducer, CollectedMetrics } from '../MetricsProducer';
