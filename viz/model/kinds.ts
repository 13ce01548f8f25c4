/**
 * Record kinds the page draws specially, as small integer codes (one byte per row), and the glyph
 * each local record gets. Kinds the page does not know keep code `other` and are drawn generically.
 */
import type { RunData } from '../wire/codec.ts';

export const K = {
  other: 0, send: 1, recv: 2, drop: 3, timer: 4, crash: 5, restart: 6, fault: 7,
  disk: 8, log: 9, client: 10, ckpt: 11, state: 12, meta: 13,
} as const;

const CODES = new Map<string, number>(Object.entries(K));

/** Glyph keys (see `GLYPHS` in draw/palette.ts), index 0 meaning "not a lane glyph". */
export const GLYPH_KEYS = ['', 'timer', 'disk', 'log', 'ckpt', 'state', 'produce', 'ack', 'error', 'consume', 'client', 'other', 'fsync', 'disk-lost'] as const;
const GLYPH_INDEX = new Map<string, number>(GLYPH_KEYS.map((key, i) => [key, i]));
const CLIENT_OPS = new Set(['produce', 'ack', 'error', 'consume']);

/** Per row: the kind code, and the glyph index for records drawn as a mark on their lane. */
export function classify(run: RunData): { kind: Uint8Array; glyph: Uint8Array } {
  const kind = new Uint8Array(run.length);
  const glyph = new Uint8Array(run.length);
  classifyInto(run, kind, glyph, 0);
  return { kind, glyph };
}

/** `classify` for rows `from` to the end, written into `kind` and `glyph` (the live timeline's appended rows). */
export function classifyInto(run: RunData, kind: Uint8Array, glyph: Uint8Array, from: number): void {
  const { strings } = run.header;
  const codeOf = strings.map((s) => CODES.get(s) ?? K.other);
  const opGlyph = strings.map((s) => GLYPH_INDEX.get(CLIENT_OPS.has(s) ? s : 'client')!);
  const simple: Record<number, number> = {
    [K.timer]: GLYPH_INDEX.get('timer')!, [K.disk]: GLYPH_INDEX.get('disk')!, [K.log]: GLYPH_INDEX.get('log')!,
    [K.ckpt]: GLYPH_INDEX.get('ckpt')!, [K.state]: GLYPH_INDEX.get('state')!, [K.other]: GLYPH_INDEX.get('other')!, [K.meta]: GLYPH_INDEX.get('other')!,
  };
  // fsyncs and losses get glyphs of their own: a student must tell them from the writes they cover.
  const diskGlyph = strings.map((s) => GLYPH_INDEX.get(s === 'fsync' || s === 'fsync-done' ? 'fsync' : s === 'lost' ? 'disk-lost' : 'disk')!);
  for (let i = from; i < run.length; i++) {
    const k = (kind[i] = codeOf[run.k[i]]);
    if (k === K.disk && run.op[i] >= 0) glyph[i] = diskGlyph[run.op[i]];
    else if (k === K.client) glyph[i] = run.op[i] >= 0 ? opGlyph[run.op[i]] : GLYPH_INDEX.get('client')!;
    else glyph[i] = simple[k] ?? 0;
  }
}
