// Small DOM and number helpers shared by the dashboard's modules. Every string
// that comes from data is written with textContent, never as HTML.

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export const $ = (id) => document.getElementById(id);

export function num(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function fmt(value, digits = 1) {
  const n = num(value);
  return n === undefined ? '–' : n.toFixed(digits);
}

export function safeClass(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

export function asArray(value) {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object') return Object.values(value);
  return [];
}

const token = new URLSearchParams(location.search).get('access_token');

/** Adds the page's access token (if any) to an API URL: EventSource cannot send headers. */
export function apiUrl(path) {
  if (!token) return path;
  const url = new URL(path, location.origin);
  url.searchParams.set('access_token', token);
  return url.pathname + url.search;
}

export async function getJson(path) {
  const res = await fetch(apiUrl(path), { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}
