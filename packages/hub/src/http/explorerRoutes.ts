import type { LabelFilter, MetricExplorer } from '../dashboard/MetricExplorer';

/** A JSON answer of an explorer route. */
export interface ExplorerResponse {
  readonly status: number;
  readonly body: unknown;
}

const LABEL_PARAM = 'label.';
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_FILTER_LABELS = 16;
const MAX_VALUE_LENGTH = 1024;

/** The explorer's paths under `/api/metrics`. */
export function isExplorerPath(path: string): boolean {
  return path === '/api/metrics' || path === '/api/metrics/series' || path === '/api/metrics/query';
}

/**
 * Serves the metric explorer's JSON:
 * - `GET /api/metrics?search=&limit=` names (with type and series count), at most 200;
 * - `GET /api/metrics/series?name=&label.<k>=<v>&limit=` label sets of one metric;
 * - `GET /api/metrics/query?name=&label.<k>=<v>` live points of one query (watched from then on).
 */
export function serveExplorer(explorer: MetricExplorer, path: string, params: URLSearchParams): ExplorerResponse {
  const limit = parseLimit(params.get('limit'));
  if (limit === undefined) return bad('invalid_limit', 'limit must be an integer between 1 and 200');
  if (path === '/api/metrics') {
    const search = params.get('search') ?? '';
    if (search.length > 256) return bad('invalid_search', 'search is limited to 256 characters');
    return { status: 200, body: explorer.listMetrics(search, limit) };
  }
  const name = params.get('name') ?? '';
  if (name.length === 0 || name.length > 256) return bad('invalid_name', 'name must be a metric name');
  const filter = parseFilter(params);
  if (typeof filter === 'string') return bad('invalid_filter', filter);
  const result =
    path === '/api/metrics/series' ? explorer.listSeries(name, filter, limit) : explorer.query(name, filter);
  if (result === undefined)
    return { status: 404, body: { error: 'metric_not_found', message: `no metric named ${name.slice(0, 200)}` } };
  return { status: 200, body: result };
}

function bad(error: string, message: string): ExplorerResponse {
  return { status: 400, body: { error, message } };
}

function parseLimit(raw: string | null): number | undefined {
  if (raw === null) return 50;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 200 ? n : undefined;
}

/** `label.<name>=<value>` parameters as a filter, or the reason they are refused. */
function parseFilter(params: URLSearchParams): LabelFilter | string {
  const filter: Record<string, string> = {};
  let n = 0;
  for (const [key, value] of params) {
    if (!key.startsWith(LABEL_PARAM)) continue;
    const label = key.slice(LABEL_PARAM.length);
    if (!LABEL_NAME.test(label) || label.length > 128) return `invalid label name in ${key.slice(0, 140)}`;
    if (value.length > MAX_VALUE_LENGTH) return `label values are limited to ${MAX_VALUE_LENGTH} characters`;
    if (++n > MAX_FILTER_LABELS) return `at most ${MAX_FILTER_LABELS} label filters`;
    Object.defineProperty(filter, label, { value, enumerable: true });
  }
  return filter;
}
