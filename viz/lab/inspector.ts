/**
 * The inspector pane: an actor's own view of its state (`Actor.inspect`, as the protocol would
 * show it — a broker's partitions with log end, high watermark, ISR and epoch), its pending timers
 * and its mailbox (messages on their way to it), as the worker reports them at a stop.
 *
 * Guarantee: it shows what it is given and asks for nothing while the run is going.
 */
import { escapeHtml, formatTime } from '../draw/format.ts';

interface Pending {
  time: number;
  kind: 'message' | 'timer';
  from?: string;
  message?: { type?: string };
  name?: string;
}

interface ActorView {
  up: boolean;
  node: string;
  state: unknown;
  pending: Pending[];
}

export function inspectorHtml(actor: string, raw: unknown, nowUs: number): string {
  const view = raw as ActorView;
  const head = `<p><b>${escapeHtml(actor)}</b> on ${escapeHtml(view.node)} — ${view.up ? 'up' : '<b class="state down">down</b> (its memory is gone; a restart recovers from its disk)'} at ${formatTime(nowUs)}</p>`;
  const state = view.state === undefined
    ? `<p class="hint">${view.up ? 'This actor does not describe its state (no inspect()).' : ''}</p>`
    : stateHtml(view.state);
  const timers = view.pending.filter((p) => p.kind === 'timer');
  const mail = view.pending.filter((p) => p.kind === 'message');
  const rows = (items: Pending[], cell: (p: Pending) => string) =>
    items.length === 0 ? '<p class="hint">none</p>' : `<table>${items.slice(0, 40).map((p) => `<tr><th>${formatTime(p.time)}</th><td>${cell(p)}</td></tr>`).join('')}${items.length > 40 ? `<tr><td colspan="2">… ${items.length - 40} more</td></tr>` : ''}</table>`;
  return `${head}<h3>State</h3>${state}<h3>Mailbox (${mail.length} on the way)</h3>${rows(mail, (p) => `${escapeHtml(p.message?.type ?? '?')} from ${escapeHtml(p.from ?? '?')}`)}<h3>Pending timers (${timers.length})</h3>${rows(timers, (p) => escapeHtml(p.name ?? '?'))}`;
}

/** Top-level fields as rows; a list of records (a broker's partitions) as a table; other nested values as indented JSON. */
function stateHtml(state: unknown): string {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return `<pre>${escapeHtml(JSON.stringify(state, null, 2))}</pre>`;
  const rows = Object.entries(state as Record<string, unknown>).map(([key, value]) => {
    const text = isRecordList(value) ? recordTable(value) : typeof value === 'object' && value !== null ? `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>` : escapeHtml(String(value));
    return `<tr><th>${escapeHtml(key)}</th><td>${text}</td></tr>`;
  });
  return `<table>${rows.join('')}</table>`;
}

function isRecordList(value: unknown): value is Array<Record<string, unknown>> {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item));
}

/** One row per field, one column per record: a partition's fields read down its column. */
function recordTable(list: Array<Record<string, unknown>>): string {
  const fields = [...new Set(list.flatMap((item) => Object.keys(item)))];
  const cell = (value: unknown) => escapeHtml(Array.isArray(value) ? value.join(', ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));
  return `<table class="records">${fields.map((field) => `<tr><th>${escapeHtml(field)}</th>${list.map((item) => `<td>${cell(item[field])}</td>`).join('')}</tr>`).join('')}</table>`;
}
