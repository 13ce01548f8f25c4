/**
 * The legend: what each colour, glyph, band and line on the page means, listing only what occurs in
 * the runs shown (message families with their types, record glyphs, drops, crashes, fault kinds).
 * The same entries are written as HTML on the page and as SVG into exported figures.
 */
import { escapeHtml } from '../draw/format.ts';
import { GLYPH_KEYS } from '../model/kinds.ts';
import type { RunModel } from '../model/model.ts';
import { CRASH_COLOR, CUT_COLOR, DENSITY_COLOR, DROP_COLOR, FAIL_COLOR, GLYPHS, IDLE_COLOR, RESTART_COLOR, faultColor, type Palette } from '../draw/palette.ts';
import { Scene, sceneToSvg, type Shape } from '../draw/painter.ts';
import { recoveryLegend } from './recovery-legend.ts';
import { FATE_COLORS, FSYNC_COLOR } from '../draw/durability-marks.ts';
import { DOWN_HATCH } from '../wire/patterns.ts';

interface Entry {
  /** SVG content of a 30×14 swatch. */
  symbol: string;
  label: string;
  title?: string;
}

type Rows = Array<[title: string, entries: Entry[]]>;

function glyph(shape: Shape, color: string): string {
  const scene = new Scene();
  scene.batch(shape, color, 1, 3).push(15, 7);
  return sceneToSvg(scene);
}

const line = (color: string, dash = '') => `<line x1="2" y1="7" x2="28" y2="7" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;

function rows(models: RunModel[], palette: Palette): Rows {
  const messages: Entry[] = palette.legend.map((entry) => ({
    symbol: `<line x1="2" y1="11" x2="26" y2="3" stroke="${entry.color}" stroke-width="2"/><path d="M28,2 L22,2.5 L25,7 Z" fill="${entry.color}"/>`,
    label: entry.label,
    title: `message types: ${entry.types.join(', ')}`,
  }));
  messages.push({
    symbol: `<line x1="2" y1="11" x2="22" y2="5" stroke="${DROP_COLOR}" stroke-width="1.5" stroke-dasharray="4 3"/><path d="M19,2L27,10M19,10L27,2" stroke="${DROP_COLOR}" stroke-width="1.5"/>`,
    label: 'dropped (cause in tooltip)',
  });
  if (models.some((m) => m.chatter.messages > 0)) {
    messages.push({ symbol: `<line x1="2" y1="11" x2="28" y2="3" stroke="${IDLE_COLOR}" stroke-width="1.5" stroke-opacity="0.6"/>`, label: 'idle chatter (folded)', title: 'heartbeats (and their timers), and fetches that came back with no records and no error: one faint grey line per column while more than 40 are in view; zoom in, filter or press I to draw each' });
  }
  const glyphs = new Set<number>();
  for (const m of models) for (let i = 0; i < m.glyph.length; i++) glyphs.add(m.glyph[i]);
  const records = [...glyphs].filter((g) => g > 0).sort((x, y) => x - y).map((g) => {
    const style = GLYPHS[GLYPH_KEYS[g]];
    return { symbol: glyph(style.shape, style.color), label: style.label };
  });
  const actors: Entry[] = [
    { symbol: `<path d="M10,3L20,3L15,10Z" fill="${CRASH_COLOR}"/>`, label: 'crash' },
    { symbol: `<path d="M10,11L20,11L15,4Z" fill="${RESTART_COLOR}"/>`, label: 'restart' },
    { symbol: `<rect x="1" y="2" width="28" height="10" fill="${DOWN_HATCH}"/>`, label: 'down' },
  ];
  const faultKinds = [...new Set(models.flatMap((m) => m.faults.map((f) => f.kind)))].sort();
  const faults = faultKinds.map((k) => ({ symbol: `<rect x="1" y="1" width="28" height="12" fill="${faultColor(k)}" opacity="0.35"/>`, label: `fault: ${k}` }));
  const reading: Entry[] = [
    { symbol: line('#332288', '5 3'), label: 'end of the causal past' },
    { symbol: line('#117733', '5 3'), label: 'start of the causal future' },
    { symbol: '<rect x="1" y="3" width="9" height="8" fill="' + DENSITY_COLOR + '" opacity="0.2"/><rect x="10" y="3" width="9" height="8" fill="' + DENSITY_COLOR + '" opacity="0.55"/><rect x="19" y="3" width="9" height="8" fill="' + DENSITY_COLOR + '" opacity="0.95"/>', label: 'density when zoomed out: darker = more records' },
  ];
  return [['Messages', messages], ['Records', records], ['Actors', actors], ['Durability', durabilityLegend(models)], ['Recovery', recoveryLegend(models)], ['Algorithm', algorithmLegend(models)], ['Faults', faults], ['Reading', reading]];
}

/** Snapshot channel state, the conserved panel's in-flight part, and rollback cascade steps. */
function algorithmLegend(models: RunModel[]): Entry[] {
  const entries: Entry[] = [];
  if (models.some((m) => m.snapshots.channels.length > 0)) {
    entries.push({ symbol: `<line x1="2" y1="11" x2="28" y2="3" stroke="${CUT_COLOR}" stroke-width="5" stroke-opacity="0.45"/><path d="M4,8V12H26V8" fill="none" stroke="${CUT_COLOR}" stroke-width="2"/>`, label: 'channel state a snapshot recorded (from the snapshot to the channel\'s marker)' });
  }
  if (models.some((m) => m.cascades.length > 0)) {
    entries.push({ symbol: `<line x1="2" y1="12" x2="28" y2="2" stroke="${FAIL_COLOR}" stroke-width="3.5"/>`, label: 'orphan message' });
    if (models.some((m) => m.cascades.some((c) => c.steps.some((s) => s.cause === 'in-transit')))) {
      entries.push({ symbol: `<line x1="2" y1="2" x2="28" y2="12" stroke="${FAIL_COLOR}" stroke-width="3.5" stroke-dasharray="7 4"/>`, label: 'message in transit (sent inside the line, not received inside it): its sender falls back' });
    }
    entries.push({ symbol: `<path d="M26,11Q15,-3 4,11" fill="none" stroke="${FAIL_COLOR}" stroke-width="2"/><circle cx="15" cy="5" r="5" fill="#fff" stroke="${FAIL_COLOR}" stroke-width="1.5"/><path d="M23,3L29,11M23,11L29,3" stroke="${FAIL_COLOR}" stroke-width="2"/>`, label: 'rollback step n: checkpoint abandoned (✕), fall back (step with ◀ rollback ▶)' });
  }
  return entries;
}

function durabilityLegend(models: RunModel[]): Entry[] {
  if (models.every((m) => m.durability.losses.length === 0)) return [];
  const strip = (color: string) => `<rect x="1" y="8" width="28" height="4" fill="${color}"/>`;
  const entries: Entry[] = [
    { symbol: `<path d="M4,12V4H26V12" fill="none" stroke="${FSYNC_COLOR}" stroke-width="2"/>`, label: 'fsync, issued → completed' },
    { symbol: strip(FATE_COLORS.durable), label: 'writes made durable' },
  ];
  entries.push({ symbol: strip(FATE_COLORS.lost), label: 'writes lost at power loss' });
  entries.push({ symbol: `<line x1="4" y1="1" x2="4" y2="13" stroke="${FSYNC_COLOR}" stroke-width="2.5"/><rect x="5" y="2" width="23" height="10" fill="${FATE_COLORS.lost}" fill-opacity="0.12" stroke="${FATE_COLORS.lost}" stroke-dasharray="4 2"/>`, label: 'durable frontier | lost suffix' });
  if (models.some((m) => m.durability.spans.some((sp) => sp.fate === 'unsynced' && m.durability.losses.some((l) => l.actor === sp.actor)))) entries.push({ symbol: strip(FATE_COLORS.unsynced), label: 'never synced' });
  return entries;
}

const itemHtml = (e: Entry) => `<span class="item"${e.title ? ` title="${escapeHtml(e.title)}"` : ''}><svg class="swatch" width="30" height="14" viewBox="0 0 30 14">${e.symbol}</svg>${escapeHtml(e.label)}</span>`;

/**
 * The legend as HTML: `inline` is the message colours, written on the legend's one closed line so
 * the first screen is the diagram; `body` is every row, shown when the reader opens it.
 */
export function legendHtml(models: RunModel[], palette: Palette): { inline: string; body: string } {
  const all = rows(models, palette).filter(([, entries]) => entries.length > 0);
  const messages = all.find(([title]) => title === 'Messages')?.[1] ?? [];
  const body = all.map(([title, entries]) => `<div class="legend-row"><b>${title}</b>${entries.map(itemHtml).join('')}</div>`).join('');
  return { inline: messages.map(itemHtml).join(''), body };
}

const ROW_H = 18;
/** Rough label width for laying out the exported legend; exact text metrics need a browser font. */
const CHAR_W = 6.4;

/** The legend as an SVG group `width` wide, and its height. */
export function legendSvg(models: RunModel[], palette: Palette, width: number): { svg: string; height: number } {
  const out: string[] = [];
  let y = 0;
  for (const [title, entries] of rows(models, palette)) {
    if (entries.length === 0) continue;
    let x = 90;
    out.push(`<text x="8" y="${y + 11}" font-size="11" font-weight="600" fill="#6e7781">${title}</text>`);
    for (const e of entries) {
      const w = 36 + e.label.length * CHAR_W + 14;
      if (x + w > width && x > 90) {
        x = 90;
        y += ROW_H;
      }
      out.push(`<g transform="translate(${x},${y})">${e.symbol}<text x="34" y="11" font-size="11" fill="#1f2328">${escapeHtml(e.label)}</text></g>`);
      x += w;
    }
    y += ROW_H;
  }
  return { svg: out.join('\n'), height: y };
}
