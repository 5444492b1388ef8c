// Silences in the dashboard: a "Silence…" button on each firing alert card opens a
// dialog (duration, comment) that creates an Alertmanager-style silence through the
// hub's /api/v2 API; a panel lists active silences (with an Expire button) and the
// alerts they currently mute. Text only (textContent), as everywhere on the page.

import { $, el } from './dom.js';

const REFRESH_MS = 2000;
const DURATIONS = [
  ['15m', 15 * 60_000],
  ['1h', 3600_000],
  ['4h', 4 * 3600_000],
  ['1d', 24 * 3600_000],
  ['7d', 7 * 24 * 3600_000],
];

const token = new URLSearchParams(location.search).get('access_token');

/** API calls with the page's token as a bearer header (POST/DELETE cannot use the query parameter). */
async function api(path, init = {}) {
  const headers = { Accept: 'application/json', ...(init.body ? { 'Content-Type': 'application/json' } : {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(path, { ...init, headers, cache: 'no-store' });
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) throw new Error(typeof body === 'string' ? body : `HTTP ${res.status}`);
  return body;
}

function until(ts) {
  const ms = Date.parse(ts) - Date.now();
  if (!Number.isFinite(ms)) return '';
  if (ms <= 0) return 'ended';
  const m = Math.round(ms / 60_000);
  if (m < 60) return `ends in ${m}m`;
  if (m < 48 * 60) return `ends in ${Math.round(m / 60)}h`;
  return `ends in ${Math.round(m / 1440)}d`;
}

const matcherText = (m) => `${m.name}${m.isEqual === false ? '!' : '='}${m.isRegex ? '~' : ''}"${m.value}"`;

// ---------- the dialog ----------

let target = null; // the alert being silenced

function dialog() {
  let d = $('silence-dialog');
  if (d) return d;
  d = el('dialog', 'silence-dialog');
  d.id = 'silence-dialog';
  const form = el('form');
  form.method = 'dialog';
  const title = el('h3');
  title.id = 'silence-title';
  const matchers = el('div', 'meta');
  matchers.id = 'silence-matchers';
  const durationLabel = el('label', null, 'Duration ');
  const duration = el('select');
  duration.id = 'silence-duration';
  for (const [text, ms] of DURATIONS) {
    const option = el('option', null, text);
    option.value = String(ms);
    if (text === '1h') option.selected = true;
    duration.append(option);
  }
  durationLabel.append(duration);
  const commentLabel = el('label', null, 'Comment ');
  const comment = el('input');
  comment.id = 'silence-comment';
  comment.type = 'text';
  comment.required = true;
  comment.maxLength = 500;
  comment.placeholder = 'why (required)';
  commentLabel.append(comment);
  const error = el('p', 'silence-error');
  error.id = 'silence-error';
  const buttons = el('div', 'row');
  const cancel = el('button', 'secondary', 'Cancel');
  cancel.type = 'button';
  cancel.id = 'silence-cancel';
  cancel.addEventListener('click', () => d.close());
  const submit = el('button', null, 'Silence');
  submit.type = 'submit';
  submit.id = 'silence-submit';
  buttons.append(cancel, submit);
  form.append(title, matchers, durationLabel, commentLabel, error, buttons);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void createSilence(Number(duration.value), comment.value.trim());
  });
  d.append(form);
  document.body.append(d);
  return d;
}

function matchersOf(alert) {
  const out = [{ name: 'alertname', value: String(alert.name ?? ''), isRegex: false, isEqual: true }];
  const labels = alert.labels && typeof alert.labels === 'object' ? alert.labels : {};
  for (const [name, value] of Object.entries(labels))
    out.push({ name, value: String(value), isRegex: false, isEqual: true });
  return out;
}

function openDialog(alert) {
  target = alert;
  const d = dialog();
  $('silence-title').textContent = `Silence ${alert.name ?? 'alert'}`;
  $('silence-matchers').textContent = matchersOf(alert).map(matcherText).join(', ');
  $('silence-comment').value = '';
  $('silence-error').textContent = '';
  d.showModal();
  $('silence-comment').focus();
}

async function createSilence(durationMs, comment) {
  if (!target) return;
  if (!comment) {
    $('silence-error').textContent = 'A comment is required.';
    return;
  }
  const now = Date.now();
  try {
    await api('/api/v2/silences', {
      method: 'POST',
      body: JSON.stringify({
        matchers: matchersOf(target),
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + durationMs).toISOString(),
        createdBy: 'dashboard',
        comment,
      }),
    });
  } catch (error) {
    $('silence-error').textContent = `Could not silence: ${error.message}`;
    return;
  }
  $('silence-dialog').close();
  target = null;
  document.dispatchEvent(new CustomEvent('obs:silences-changed'));
  await refreshSilences();
}

/** The "Silence…" button for a firing alert's card. */
export function silenceButton(alert) {
  const button = el('button', 'silence-button', 'Silence…');
  button.type = 'button';
  button.title = 'Silence this alert';
  button.addEventListener('click', () => openDialog(alert));
  return button;
}

// ---------- the panel ----------

async function expire(id) {
  try {
    await api(`/api/v2/silence/${encodeURIComponent(id)}`, { method: 'DELETE' });
  } catch (error) {
    $('silences-status').textContent = `Could not expire: ${error.message}`;
  }
  document.dispatchEvent(new CustomEvent('obs:silences-changed'));
  await refreshSilences();
}

function silenceItem(s, muted) {
  const li = el('li', 'silence');
  li.dataset.silenceId = String(s.id);
  const row = el('div', 'row');
  const state = s.status && s.status.state === 'pending' ? 'pending' : 'active';
  row.append(
    el('span', 'name', (s.matchers ?? []).map(matcherText).join(', ')),
    el('span', `pill silence-${state}`, state),
  );
  li.append(row);
  li.append(el('div', 'meta', `${s.comment ?? ''} · by ${s.createdBy || 'unknown'} · ${until(s.endsAt)}`));
  if (muted.length) li.append(el('div', 'meta', `mutes: ${muted.join(', ')}`));
  const button = el('button', 'secondary expire-button', 'Expire');
  button.type = 'button';
  button.addEventListener('click', () => void expire(s.id));
  li.append(button);
  return li;
}

export async function refreshSilences() {
  const list = $('silences-list');
  if (!list) return;
  try {
    const [silences, silenced] = await Promise.all([
      api('/api/v2/silences'),
      api('/api/v2/alerts?active=false&silenced=true&inhibited=false'),
    ]);
    const live = (Array.isArray(silences) ? silences : []).filter((s) => s && s.status && s.status.state !== 'expired');
    const mutedBy = new Map();
    for (const a of Array.isArray(silenced) ? silenced : []) {
      for (const id of a.status?.silencedBy ?? []) {
        if (!mutedBy.has(id)) mutedBy.set(id, []);
        mutedBy.get(id).push(String(a.labels?.alertname ?? 'alert'));
      }
    }
    list.replaceChildren(...live.map((s) => silenceItem(s, mutedBy.get(s.id) ?? [])));
    $('silences-empty').hidden = live.length > 0;
    $('silences-count').textContent = String(live.length);
    $('silences-status').textContent = '';
  } catch (error) {
    $('silences-status').textContent = `silences unavailable: ${error.message}`;
  }
}

refreshSilences();
setInterval(refreshSilences, REFRESH_MS);
