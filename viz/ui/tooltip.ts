/**
 * Tooltip contents: every field of the record under the pointer (kinds and fields the page does
 * not know included), a message's two ends with its flight time, a density cell's count, or a
 * fault's description. Returns HTML with every trace value escaped.
 */
import { recordFields } from '../wire/codec.ts';
import { escapeHtml, formatCount, formatTime } from '../draw/format.ts';
import { K } from '../model/kinds.ts';
import { faultLabel } from '../draw/marks.ts';
import type { RunModel } from '../model/model.ts';
import type { FaultSpan } from '../model/spans.ts';

const MAX_VALUE_CHARS = 240;

function value(key: string, v: unknown): string {
  if (key === 't' && typeof v === 'number') return `${escapeHtml(formatTime(v))} <span class="raw">(${formatCount(v)} µs)</span>`;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return escapeHtml(text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} chars)` : text);
}

function table(fields: Record<string, unknown>): string {
  const rows = Object.entries(fields).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${value(k, v)}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}

export function recordTooltip(model: RunModel, row: number): string {
  const { data, kind, fwd } = model;
  const fields = recordFields(data, row);
  const send = kind[row] === K.send ? row : data.link[row];
  const answer = kind[row] === K.send ? fwd[row] : row;
  if (send >= 0 && answer >= 0 && send !== answer) {
    const s = recordFields(data, send);
    const r = recordFields(data, answer);
    const dropped = kind[answer] === K.drop;
    const head = `<div class="tip-head">${escapeHtml(String(s.msg ?? 'message'))}: ${escapeHtml(String(s.a))} → ${escapeHtml(String(s.to ?? r.a))}` +
      ` · ${dropped ? `<b class="dropped">dropped (${escapeHtml(String(r.cause ?? '?'))})</b> after` : 'in flight'} ${escapeHtml(formatTime(data.t[answer] - data.t[send]))}</div>`;
    return `${head}<div class="tip-sub">send</div>${table(s)}<div class="tip-sub">${escapeHtml(String(r.k))}</div>${table(r)}${hint}`;
  }
  return `<div class="tip-head">${escapeHtml(String(fields.k))} at ${escapeHtml(String(fields.a))}</div>${table(fields)}${hint}`;
}

const hint = '<div class="tip-hint">click: highlight causal past and future</div>';

export function cellTooltip(model: RunModel, actor: number, count: number, from: number, to: number): string {
  return `<div class="tip-head">${formatCount(count)} record${count === 1 ? '' : 's'} at ${escapeHtml(model.data.header.actors[actor].id)}</div>` +
    `<div>between ${escapeHtml(formatTime(from))} and ${escapeHtml(formatTime(to))}</div><div class="tip-hint">zoom in to see them one by one</div>`;
}

export function faultTooltip(model: RunModel, span: FaultSpan): string {
  const fields = recordFields(model.data, span.startRow);
  return `<div class="tip-head">fault ${escapeHtml(faultLabel(span))}</div>` +
    `<div>from ${escapeHtml(formatTime(span.start))} to ${span.open ? 'the end of the run' : escapeHtml(formatTime(span.end))}</div>${table(fields)}`;
}
