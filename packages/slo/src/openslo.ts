// @obs/slo/openslo: OpenSLO v1 import and export (loads the \`yaml\` parser, so it is kept out of the root entry).
export { parseOpenSLO, toOpenSLO } from './openslo/openSLO';
export type { OpenSLOImport, OpenSLOExportOptions } from './openslo/openSLO';
export { OpenSLOError } from './errors';
