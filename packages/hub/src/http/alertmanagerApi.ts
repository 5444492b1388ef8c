import type { IncomingMessage } from 'node:http';
import {
  alertMatchLabels,
  AlertState,
  compileMatcher,
  parseMatcher,
  parseMatchers,
  type Alert,
  type AlertManager,
  type Matcher,
  type Silence,
} from '@obs/alerts';
import { readBody } from './readBody';

/**
 * Alertmanager API v2, the parts that `amtool` and Alertmanager tooling use for alerts and
 * silences, served from the hub's AlertManager:
 *
 * | route | answers |
 * | --- | --- |
 * | `GET /api/v2/alerts` | `gettableAlert[]`; `filter` (repeatable, `name=~"re"`), `active`, `silenced`, `inhibited`, `unprocessed`, `receiver` (regex) |
 * | `GET /api/v2/silences` | `gettableSilence[]`; `filter` as above (a silence matches when its matchers equal them) |
 * | `POST /api/v2/silences` | `postableSilence` → `{ silenceID }`; with an existing `id`, that silence is replaced |
 * | `GET /api/v2/silence/:id`, `DELETE /api/v2/silence/:id` | one silence; expire it |
 * | `GET /api/v2/status`, `GET /api/v2/receivers` | what amtool reads for `config show` / receivers |
 */
export interface AlertmanagerApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

const SILENCE_ROUTE = /^\/api\/v2\/silence\/([^/]+)$/;
const MAX_BODY = 64 * 1024;
const startedAt = new Date().toISOString();

export function isAlertmanagerApiPath(path: string): boolean {
  return path.startsWith('/api/v2/');
}

const iso = (ms: number) => new Date(ms).toISOString();

function annotationsOf(a: Alert): Record<string, string> {
  const out: Record<string, string> = { ...a.annotations };
  if (a.message) {
    out['summary'] ??= a.message;
    out['message'] ??= a.message;
  }
  out['value'] ??= String(a.value);
  return out;
}

/** One of our alerts as Alertmanager's `gettableAlert`. */
export function toGettableAlert(alerts: AlertManager, a: Alert, now: number) {
  const reasons = a.suppressedBy ?? [];
  const silencedBy = reasons.filter((r) => r.startsWith('silence:')).map((r) => r.slice('silence:'.length));
  const inhibitedBy = reasons.filter((r) => r.startsWith('inhibition:')).map((r) => r.slice('inhibition:'.length));
  const startsAt = a.firingSince ?? a.startedAt;
  return {
    labels: { ...alertMatchLabels(a) },
    annotations: annotationsOf(a),
    startsAt: iso(startsAt),
    // Still firing: Alertmanager shows when it would time out without an update.
    endsAt: iso(Math.max(now, startsAt) + 5 * 60_000),
    updatedAt: iso(now),
    fingerprint: a.fingerprint,
    receivers: alerts.receiversOf(a).map((name) => ({ name })),
    status: {
      state: a.state === AlertState.SUPPRESSED ? 'suppressed' : 'active',
      silencedBy,
      inhibitedBy,
      ...(reasons.includes('suppression') ? { mutedBy: ['suppression'] } : {}),
    },
    generatorURL: '',
  };
}

/** One of our silences as Alertmanager's `gettableSilence`. */
export function toGettableSilence(s: Silence) {
  return {
    id: s.id,
    status: { state: s.status },
    updatedAt: iso(s.updatedAt),
    matchers: s.matchers.map((m) => ({
      name: m.name,
      value: m.value,
      isRegex: m.isRegex ?? false,
      isEqual: m.isEqual ?? true,
    })),
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    createdBy: s.createdBy,
    comment: s.comment,
  };
}

function flag(params: URLSearchParams, name: string, fallback: boolean): boolean | string {
  const v = params.get(name);
  if (v === null || v === '') return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return `${name} must be true or false`;
}

function filters(params: URLSearchParams): Matcher[] | string {
  try {
    const all = params.getAll('filter');
    if (all.length > 64) return 'at most 64 filters';
    return all.flatMap((f) => (f.trim().startsWith('{') ? parseMatchers(f) : [parseMatcher(f)]));
  } catch (error) {
    return (error as Error).message;
  }
}

function parseTime(value: unknown, what: string): number | string {
  if (typeof value !== 'string') return `${what} must be an RFC 3339 time`;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : `${what} must be an RFC 3339 time, got ${value.slice(0, 64)}`;
}

const bad = (message: string): AlertmanagerApiAnswer => ({ status: 400, body: message });

/** Serves one request under `/api/v2/` (the caller has checked the token). */
export async function serveAlertmanagerApi(
  alerts: AlertManager,
  req: IncomingMessage,
  method: string,
  path: string,
  params: URLSearchParams,
  now: number,
): Promise<AlertmanagerApiAnswer> {
  const get = method === 'GET' || method === 'HEAD';
  if (path === '/api/v2/alerts' && get) {
    const parsed = filters(params);
    if (typeof parsed === 'string') return bad(parsed);
    let matchers;
    try {
      // RE2 (linear time), as silences use: a filter from the network cannot stall the process.
      matchers = parsed.map((m) => compileMatcher(m));
    } catch (error) {
      return bad((error as Error).message);
    }
    const active = flag(params, 'active', true);
    const silenced = flag(params, 'silenced', true);
    const inhibited = flag(params, 'inhibited', true);
    for (const f of [active, silenced, inhibited, flag(params, 'unprocessed', true)])
      if (typeof f === 'string') return bad(f);
    const receiver = params.get('receiver');
    let receiverRe: ReturnType<typeof compileMatcher> | undefined;
    try {
      receiverRe = receiver ? compileMatcher({ name: 'receiver', value: receiver, isRegex: true }) : undefined;
    } catch {
      return bad('receiver must be a regular expression');
    }
    const out = [];
    for (const a of alerts.getActiveAlerts()) {
      if (a.state === AlertState.PENDING) continue; // Prometheus does not send pending alerts either
      const g = toGettableAlert(alerts, a, now);
      if (!matchers.every((m) => m.matches(g.labels))) continue;
      if (g.status.state === 'active' && !active) continue;
      if (g.status.silencedBy.length > 0 && !silenced) continue;
      if (g.status.inhibitedBy.length > 0 && !inhibited) continue;
      if (receiverRe && !g.receivers.some((r) => receiverRe.matches({ receiver: r.name }))) continue;
      out.push(g);
    }
    return { status: 200, body: out };
  }
  if (path === '/api/v2/silences' && get) {
    const matchers = filters(params);
    if (typeof matchers === 'string') return bad(matchers);
    const key = (m: Matcher) => `${m.name}\u0000${m.value}\u0000${m.isRegex ?? false}\u0000${m.isEqual ?? true}`;
    const wanted = new Set(matchers.map(key));
    const list = alerts
      .listSilences()
      .filter((s) => [...wanted].every((w) => s.matchers.some((m) => key(m) === w)))
      .map(toGettableSilence);
    return { status: 200, body: list };
  }
  if (path === '/api/v2/silences' && method === 'POST') {
    let raw: unknown;
    try {
      raw = JSON.parse((await readBody(req, { limit: MAX_BODY, timeoutMs: 10_000 })).toString('utf8'));
    } catch (error) {
      return bad(`the body must be a JSON postableSilence: ${(error as Error).message}`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      return bad('the body must be a JSON postableSilence object');
    const body = raw as Record<string, unknown>;
    const startsAt = parseTime(body['startsAt'], 'startsAt');
    const endsAt = parseTime(body['endsAt'], 'endsAt');
    if (typeof startsAt === 'string') return bad(startsAt);
    if (typeof endsAt === 'string') return bad(endsAt);
    const id = body['id'];
    if (id !== undefined && id !== '' && typeof id !== 'string') return bad('id must be a string');
    const previous = typeof id === 'string' && id !== '' ? alerts.listSilences().find((s) => s.id === id) : undefined;
    if (typeof id === 'string' && id !== '' && !previous)
      return { status: 404, body: `silence ${id.slice(0, 64)} not found` };
    let silenceID: string;
    try {
      silenceID = alerts.addSilence({
        matchers: body['matchers'] as Matcher[],
        // Alertmanager moves a start in the past to now.
        startsAt: Math.max(startsAt, now),
        endsAt,
        createdBy: body['createdBy'] as string,
        comment: body['comment'] as string,
      });
    } catch (error) {
      return bad((error as Error).message);
    }
    if (previous) alerts.expireSilence(previous.id); // an update replaces the old silence
    return { status: 200, body: { silenceID } };
  }
  const one = SILENCE_ROUTE.exec(path);
  if (one) {
    let id: string;
    try {
      id = decodeURIComponent(one[1] as string);
    } catch {
      return bad('bad silence id');
    }
    const silence = alerts.listSilences().find((s) => s.id === id);
    if (!silence) return { status: 404, body: `silence ${id.slice(0, 64)} not found` };
    if (get) return { status: 200, body: toGettableSilence(silence) };
    if (method === 'DELETE') {
      if (silence.status === 'expired') return bad(`silence ${id} already expired`);
      alerts.expireSilence(id);
      return { status: 200, body: null };
    }
  }
  if (path === '/api/v2/status' && get) {
    return {
      status: 200,
      body: {
        cluster: { name: '', status: 'disabled', peers: [] },
        versionInfo: { version: '@obs/alerts', revision: '', branch: '', buildUser: '', buildDate: '', goVersion: '' },
        config: { original: '# served by @obs/hub: routes and receivers are configured in code\n' },
        uptime: startedAt,
      },
    };
  }
  if (path === '/api/v2/receivers' && get) {
    return { status: 200, body: alerts.listReceivers().map((name) => ({ name })) };
  }
  const known =
    ['/api/v2/alerts', '/api/v2/silences', '/api/v2/status', '/api/v2/receivers'].includes(path) ||
    SILENCE_ROUTE.test(path);
  return known
    ? { status: 405, body: `${method} is not allowed on ${path}` }
    : { status: 404, body: `no route for ${method} ${path.slice(0, 200)}` };
}
