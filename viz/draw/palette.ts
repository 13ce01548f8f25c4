/**
 * Colours and glyphs. Message arrows are coloured by the family of their message type (produce,
 * replicate, ack, fetch, checkpoint, marker, forward, control), recognised from the type's name;
 * types that belong to no family get colours of their own. Every colour comes from the
 * Okabe–Ito or Paul Tol palettes, which stay distinguishable under the common colour-vision
 * deficiencies; glyph shapes also differ, so colour is never the only cue.
 *
 * Guarantee: the colour of a type depends only on the set of types in the trace (sorted), not on
 * the order they first appear.
 */

interface Family {
  name: string;
  color: string;
  pattern: RegExp;
}

/** Checked in order: `replicate-ack` is an ack, `checkpoint-marker` a marker. */
const FAMILIES: Family[] = [
  { name: 'marker', color: '#882255', pattern: /marker|barrier|snapshot/i },
  { name: 'checkpoint', color: '#CC79A7', pattern: /ckpt|checkpoint|restore/i },
  { name: 'ack', color: '#009E73', pattern: /ack|commit|confirm/i },
  { name: 'produce', color: '#0072B2', pattern: /produce|publish|write|push/i },
  { name: 'replicate', color: '#56B4E9', pattern: /replic|append|sync|copy/i },
  { name: 'fetch', color: '#E69F00', pattern: /fetch|consume|poll|pull|read|deliver/i },
  { name: 'forward', color: '#D55E00', pattern: /forward|relay|bridge|route/i },
  { name: 'control', color: '#888888', pattern: /heartbeat|ping|pong|elect|vote|leader|metadata|control|join|leave|hello/i },
];

/** Paul Tol's "muted" colours not already used above, for types outside every family. */
const EXTRA_COLORS = ['#332288', '#44AA99', '#999933', '#117733', '#AA4499', '#DDCC77', '#88CCEE', '#CC6677'];
const OTHER_COLOR = '#555555';

export interface LegendEntry {
  label: string;
  color: string;
  types: string[];
}

export interface Palette {
  /** Colour per message type. */
  color: Map<string, string>;
  legend: LegendEntry[];
}

export function buildPalette(types: Iterable<string>): Palette {
  const sorted = [...new Set(types)].sort();
  const color = new Map<string, string>();
  const entries = new Map<string, LegendEntry>();
  let extra = 0;
  for (const type of sorted) {
    const family = FAMILIES.find((f) => f.pattern.test(type));
    let key: string;
    let c: string;
    if (family !== undefined) {
      key = family.name;
      c = family.color;
    } else if (extra < EXTRA_COLORS.length) {
      key = type;
      c = EXTRA_COLORS[extra++];
    } else {
      key = 'other';
      c = OTHER_COLOR;
    }
    color.set(type, c);
    const entry = entries.get(key) ?? { label: key, color: c, types: [] };
    entry.types.push(type);
    entries.set(key, entry);
  }
  const order = (e: LegendEntry) => {
    const f = FAMILIES.findIndex((x) => x.name === e.label);
    return f >= 0 ? f : FAMILIES.length;
  };
  const legend = [...entries.values()].sort((x, y) => order(x) - order(y) || (x.label < y.label ? -1 : x.label > y.label ? 1 : 0));
  return { color, legend };
}

/** The glyph and colour of a local (non-message) record on its lane. */
export interface Glyph {
  shape: 'dot' | 'ring' | 'square' | 'diamond' | 'triangle' | 'cross' | 'plus' | 'vbar';
  color: string;
  label: string;
}

export const GLYPHS: Record<string, Glyph> = {
  timer: { shape: 'ring', color: '#888888', label: 'timer fired' },
  disk: { shape: 'square', color: '#8C6D31', label: 'disk write' },
  fsync: { shape: 'vbar', color: '#117733', label: 'fsync issued / completed' },
  'disk-lost': { shape: 'cross', color: '#DC267F', label: 'disk lost unsynced writes (power loss)' },
  log: { shape: 'diamond', color: '#332288', label: 'log (append, watermark, election)' },
  ckpt: { shape: 'diamond', color: '#CC79A7', label: 'checkpoint' },
  state: { shape: 'dot', color: '#999999', label: 'state digest' },
  produce: { shape: 'ring', color: '#0072B2', label: 'client produce' },
  ack: { shape: 'triangle', color: '#009E73', label: 'client ack' },
  error: { shape: 'square', color: '#D55E00', label: 'client error' },
  consume: { shape: 'ring', color: '#E69F00', label: 'client consume' },
  client: { shape: 'dot', color: '#0072B2', label: 'client (other op)' },
  other: { shape: 'plus', color: '#000000', label: 'other record kinds' },
};

export const DROP_COLOR = '#D55E00';
export const CRASH_COLOR = '#C0392B';
export const RESTART_COLOR = '#009E73';
export const FAULT_COLORS: Record<string, string> = { partition: '#E69F00', 'node-crash': '#D55E00', other: '#AA4499' };
export const faultColor = (kind: string): string => FAULT_COLORS[kind] ?? FAULT_COLORS.other;
/** Density bands: darker blue = more records per pixel column. */
export const DENSITY_COLOR = '#0072B2';
/** Folded idle chatter (heartbeats, empty fetches): grey, so it recedes behind the messages that matter. */
export const IDLE_COLOR = '#8c959f';

/**
 * Checkpoint tiers: a shape and an Okabe–Ito colour each, so that tiers differ without colour
 * (circle for the node's own disk, square for the site's file system, diamond for remote storage,
 * triangle for a compacted log topic).
 */
export const TIER_STYLES: Record<string, { shape: 'circle' | 'square' | 'diamond' | 'triangle'; color: string }> = {
  'node-local': { shape: 'circle', color: '#E69F00' },
  'site-pfs': { shape: 'square', color: '#0072B2' },
  remote: { shape: 'diamond', color: '#CC79A7' },
  'log-topic': { shape: 'triangle', color: '#009E73' },
};
export const tierStyle = (tier: string): (typeof TIER_STYLES)[string] => TIER_STYLES[tier] ?? { shape: 'circle', color: '#555555' };
/** What a checker found wrong (lost or duplicated events' arrows) and rollback recovery lines: IBM's colour-blind-safe magenta. */
export const FAIL_COLOR = '#DC267F';
/** Snapshot cuts: Tol's purple, apart from the causal-cut lines and the message families. */
export const CUT_COLOR = '#AA4499';
/** Work lost to a rollback (reddish) and work replayed after it (yellow), as lane shading. */
export const LOST_COLOR = '#CC6677';
export const REPLAY_COLOR = '#DDCC77';
