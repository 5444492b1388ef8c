import { describeValue, isValidLabelName, labelsKey, type InvalidOption, type Labels } from '@obs/core';
import { duration } from './internal/validate';
import { AlertValidationError } from './errors';
import { compileMatcher, matchesAll, parseMatcher, type CompiledMatcher, type Matcher } from './matchers';
import type { CompiledTimeIntervals } from './timeIntervals';

/**
 * A node of the routing tree (Alertmanager's `route`), all durations in milliseconds.
 * - `matchers`: the labels an alert must have to enter this route (`{ name, value, isRegex?, isEqual? }`
 *   or a string such as `'team=~"db|infra"'`). The root route takes every alert and has none.
 * - `receiver`: the receiver notified for alerts that end here. Default (root): `'default'`,
 *   the receiver of `addHandler` / `addNotificationHandler`.
 * - `groupBy`: label names (including `alertname` and `severity`) that form a group; `['...']`
 *   groups by every label, i.e. one group per alert; `[]` puts all alerts in one group.
 * - `groupWait`: how long a new group waits to collect more alerts before its first notification.
 * - `groupInterval`: the minimum time between notifications of one group about changes.
 * - `repeatInterval`: re-notify a group whose firing alerts did not change after this long; 0 = never.
 * - `routes`: child routes. An alert goes to the first child that matches (recursively), and on
 *   to the next ones only while the matching child has `continue: true`; when no child matches,
 *   this route takes it. `receiver`, `groupBy` and the three intervals are inherited when unset.
 * - `muteTimeIntervals` / `activeTimeIntervals`: names from the manager's `timeIntervals`.
 *   Notifications of this route are held while any mute interval contains the current time, or
 *   while active intervals are given and none contains it; they go out when that ends. Not
 *   inherited (as in Alertmanager).
 */
export interface RouteConfig {
  readonly receiver?: string;
  readonly matchers?: readonly (Matcher | string)[];
  readonly groupBy?: readonly string[];
  readonly groupWait?: number;
  readonly groupInterval?: number;
  readonly repeatInterval?: number;
  readonly continue?: boolean;
  readonly routes?: readonly RouteConfig[];
  readonly muteTimeIntervals?: readonly string[];
  readonly activeTimeIntervals?: readonly string[];
}

export interface ResolvedRoute {
  /** `''` for the root, else the path of child indexes (`'0'`, `'0.2'`). */
  readonly id: string;
  readonly receiver: string;
  readonly matchers: readonly CompiledMatcher[];
  readonly groupBy: readonly string[] | 'all';
  readonly groupWait: number;
  readonly groupInterval: number;
  readonly repeatInterval: number;
  readonly continue: boolean;
  readonly routes: readonly ResolvedRoute[];
  readonly muteTimeIntervals: readonly CompiledTimeIntervals[];
  readonly activeTimeIntervals: readonly CompiledTimeIntervals[];
}

export const DEFAULT_RECEIVER = 'default';

/**
 * The route of a plain `createAlertManager()`: one group per alert, notify at once
 * (groupWait 0, groupInterval 0), no repeats, so handlers run synchronously inside
 * `fireAlert` / `evaluateRules`. Alertmanager's own defaults are 30 s / 5 min / 4 h.
 */
export const DEFAULT_ROUTE: Required<Pick<RouteConfig, 'groupBy' | 'groupWait' | 'groupInterval' | 'repeatInterval'>> =
  Object.freeze({
    groupBy: Object.freeze(['...']),
    groupWait: 0,
    groupInterval: 0,
    repeatInterval: 0,
  });

const MAX_ROUTES = 1000;
const MAX_DEPTH = 16;
const FIELDS = new Set([
  'receiver',
  'matchers',
  'groupBy',
  'groupWait',
  'groupInterval',
  'repeatInterval',
  'continue',
  'routes',
  'muteTimeIntervals',
  'activeTimeIntervals',
]);

function invalid(message: string): never {
  throw new AlertValidationError('INVALID_ROUTE', message);
}

const invalidRoute: InvalidOption = (message) => new AlertValidationError('INVALID_ROUTE', message);

export interface RouteContext {
  /** Receiver names that routes may name. */
  readonly receivers: ReadonlySet<string>;
  readonly timeIntervals: ReadonlyMap<string, CompiledTimeIntervals>;
  readonly maxRegexLength?: number;
}

/** Validates a routing tree (throws `AlertValidationError` INVALID_ROUTE) and applies inheritance. */
export function resolveRoute(
  input: unknown,
  ctx: RouteContext = { receivers: new Set([DEFAULT_RECEIVER]), timeIntervals: new Map() },
): ResolvedRoute {
  let count = 0;
  const walk = (node: unknown, parent: ResolvedRoute | undefined, id: string, depth: number): ResolvedRoute => {
    const where = id === '' ? 'route' : `route.routes[${id}]`;
    if (node === undefined && parent === undefined) node = {};
    if (node === null || typeof node !== 'object' || Array.isArray(node))
      invalid(`${where} must be an object, got ${describeValue(node)}`);
    if (++count > MAX_ROUTES) invalid(`at most ${MAX_ROUTES} routes`);
    if (depth > MAX_DEPTH) invalid(`routes are nested at most ${MAX_DEPTH} deep`);
    const raw = node as Record<string, unknown>;
    for (const key of Object.keys(raw))
      if (!FIELDS.has(key)) invalid(`${where} has an unknown field ${describeValue(key)}`);
    const groupByRaw = raw['groupBy'];
    let groupBy: readonly string[] | 'all';
    if (groupByRaw === undefined) {
      groupBy = parent ? parent.groupBy : 'all';
    } else {
      if (
        !Array.isArray(groupByRaw) ||
        groupByRaw.length > 64 ||
        !groupByRaw.every((n) => typeof n === 'string' && (n === '...' || isValidLabelName(n)))
      ) {
        invalid(`${where}.groupBy must be an array of label names or ['...'], got ${describeValue(groupByRaw)}`);
      }
      groupBy = groupByRaw.includes('...') ? 'all' : Object.freeze([...new Set(groupByRaw as string[])].sort());
    }
    const receiver = raw['receiver'] ?? parent?.receiver ?? DEFAULT_RECEIVER;
    if (typeof receiver !== 'string' || !ctx.receivers.has(receiver)) {
      invalid(
        `${where}.receiver must name a receiver (${[...ctx.receivers].join(', ')}), got ${describeValue(receiver)}`,
      );
    }
    const matchersRaw = raw['matchers'] ?? [];
    if (!Array.isArray(matchersRaw) || matchersRaw.length > 64)
      invalid(`${where}.matchers must be an array of at most 64 matchers`);
    if (parent === undefined && matchersRaw.length > 0)
      invalid('the root route takes every alert: it cannot have matchers');
    const matchers = matchersRaw.map((m: unknown) => {
      try {
        return compileMatcher(typeof m === 'string' ? parseMatcher(m) : m, ctx.maxRegexLength);
      } catch (error) {
        invalid(`${where}.matchers: ${(error as Error).message}`);
      }
    });
    const cont = raw['continue'] ?? false;
    if (typeof cont !== 'boolean') invalid(`${where}.continue must be a boolean`);
    const intervals = (key: 'muteTimeIntervals' | 'activeTimeIntervals'): CompiledTimeIntervals[] => {
      const names = raw[key] ?? [];
      if (!Array.isArray(names) || names.length > 64)
        invalid(`${where}.${key} must be an array of time interval names`);
      return names.map((name: unknown) => {
        const found = typeof name === 'string' ? ctx.timeIntervals.get(name) : undefined;
        if (!found)
          invalid(`${where}.${key}: no time interval named ${describeValue(name)} (define it in timeIntervals)`);
        return found;
      });
    };
    const route: ResolvedRoute & { routes: ResolvedRoute[] } = {
      id,
      receiver,
      matchers,
      groupBy,
      groupWait: duration(
        raw['groupWait'],
        `${where}.groupWait`,
        parent?.groupWait ?? DEFAULT_ROUTE.groupWait,
        0,
        invalidRoute,
      ),
      groupInterval: duration(
        raw['groupInterval'],
        `${where}.groupInterval`,
        parent?.groupInterval ?? DEFAULT_ROUTE.groupInterval,
        0,
        invalidRoute,
      ),
      repeatInterval: duration(
        raw['repeatInterval'],
        `${where}.repeatInterval`,
        parent?.repeatInterval ?? DEFAULT_ROUTE.repeatInterval,
        0,
        invalidRoute,
      ),
      continue: cont,
      routes: [],
      muteTimeIntervals: intervals('muteTimeIntervals'),
      activeTimeIntervals: intervals('activeTimeIntervals'),
    };
    const children = raw['routes'] ?? [];
    if (!Array.isArray(children)) invalid(`${where}.routes must be an array`);
    children.forEach((child: unknown, i: number) =>
      route.routes.push(walk(child, route, id === '' ? String(i) : `${id}.${i}`, depth + 1)),
    );
    return route;
  };
  return walk(input, undefined, '', 0);
}

/** The routes an alert ends in, as Alertmanager walks the tree (first matching child unless `continue`). */
export function matchRoutes(route: ResolvedRoute, matchLabels: Labels): ResolvedRoute[] {
  if (!matchesAll(route.matchers, matchLabels)) return [];
  const out: ResolvedRoute[] = [];
  for (const child of route.routes) {
    const found = matchRoutes(child, matchLabels);
    out.push(...found);
    if (found.length > 0 && !child.continue) break;
  }
  if (out.length === 0) out.push(route);
  return out;
}

/** Whether notifications of this route are held at `now` by its mute or active time intervals. */
export function routeMuted(route: ResolvedRoute, now: number): boolean {
  if (route.muteTimeIntervals.some((t) => t.contains(now))) return true;
  return route.activeTimeIntervals.length > 0 && !route.activeTimeIntervals.some((t) => t.contains(now));
}

/** The group an alert belongs to in a route: its key and the labels that define it. */
export function groupOf(route: ResolvedRoute, matchLabels: Labels): { key: string; labels: Labels } {
  const prefix = route.id === '' ? '' : `${route.id}:`;
  if (route.groupBy === 'all') return { key: prefix + labelsKey(matchLabels), labels: matchLabels };
  const labels = Object.create(null) as Record<string, string>;
  for (const name of route.groupBy) {
    const v = matchLabels[name];
    if (v !== undefined) labels[name] = v;
  }
  return { key: prefix + labelsKey(labels), labels: Object.freeze(labels) };
}
