/**
 * The filter box: space-separated terms that hide lanes and records.
 *
 * `site:hpc`, `node:hpc-1`, `actor:broker` choose lanes; `kind:drop`, `msg:produce` choose
 * records; a bare word applies to whichever of these it matches (so `broker-1` picks a lane and
 * `fetch` picks a message type). A leading `-` excludes instead. Matching is a case-insensitive
 * substring. Terms of the same target are alternatives (OR); lanes and records combine (AND).
 *
 * Guarantee: a term that matches nothing is reported, never silently ignored; the page says how
 * many lanes and records the filter hides.
 */
import type { Lane } from './lanes.ts';

export type Field = 'actor' | 'site' | 'node' | 'kind' | 'msg';
const LANE_FIELDS: Field[] = ['actor', 'site', 'node'];
const RECORD_FIELDS: Field[] = ['kind', 'msg'];

export interface Term {
  text: string;
  fields: Field[];
  value: string;
  exclude: boolean;
}

export interface Filter {
  text: string;
  lane: Term[];
  record: Term[];
  /** Terms that matched no lane, kind or message type. */
  unmatched: string[];
}

export interface Vocabulary {
  lanes: Lane[];
  kinds: Iterable<string>;
  msgs: Iterable<string>;
}

const matches = (candidate: string, value: string) => candidate.toLowerCase().includes(value);

export function parseFilter(text: string, vocabulary: Vocabulary): Filter {
  const filter: Filter = { text, lane: [], record: [], unmatched: [] };
  const kinds = [...vocabulary.kinds];
  const msgs = [...vocabulary.msgs];
  for (const word of text.trim().split(/\s+/)) {
    if (word === '' || word === '-') continue;
    const exclude = word.startsWith('-');
    const body = exclude ? word.slice(1) : word;
    const colon = body.indexOf(':');
    const prefix = colon > 0 ? body.slice(0, colon).toLowerCase() : '';
    const explicit = (['actor', 'site', 'node', 'kind', 'msg'] as Field[]).find((f) => f === prefix);
    const value = (explicit === undefined ? body : body.slice(colon + 1)).toLowerCase();
    if (value === '') continue;
    const candidates: Field[] = explicit !== undefined ? [explicit] : [...LANE_FIELDS, ...RECORD_FIELDS];
    const hit = (f: Field) =>
      f === 'kind' ? kinds.some((k) => matches(k, value))
      : f === 'msg' ? msgs.some((m) => matches(m, value))
      : vocabulary.lanes.some((lane) => matches(laneField(lane, f), value));
    const fields = candidates.filter(hit);
    if (fields.length === 0) {
      filter.unmatched.push(word);
      continue;
    }
    const laneFields = fields.filter((f) => LANE_FIELDS.includes(f));
    const recordFields = fields.filter((f) => RECORD_FIELDS.includes(f));
    if (laneFields.length > 0) filter.lane.push({ text: word, fields: laneFields, value, exclude });
    if (recordFields.length > 0) filter.record.push({ text: word, fields: recordFields, value, exclude });
  }
  return filter;
}

function laneField(lane: Lane, field: Field): string {
  return field === 'site' ? lane.site : field === 'node' ? lane.node : lane.id;
}

function admits(terms: Term[], value: (field: Field) => string | undefined): boolean {
  let included = !terms.some((t) => !t.exclude);
  for (const term of terms) {
    const hit = term.fields.some((f) => {
      const v = value(f);
      return v !== undefined && matches(v, term.value);
    });
    if (hit && term.exclude) return false;
    if (hit) included = true;
  }
  return included;
}

export function laneVisible(filter: Filter, lane: Lane): boolean {
  return admits(filter.lane, (f) => laneField(lane, f));
}

function recordVisible(filter: Filter, kind: string, msg: string | undefined): boolean {
  return admits(filter.record, (f) => (f === 'kind' ? kind : f === 'msg' ? msg : undefined));
}

/**
 * Per row, whether the record filter admits it — or null when there are no record terms. Decided
 * once per distinct (kind, msg) pair, so a filter change costs one pass over two int columns.
 */
export function recordMask(filter: Filter, rows: { length: number; k: Int32Array; msg: Int32Array }, strings: string[]): Uint8Array | null {
  if (filter.record.length === 0) return null;
  const mask = new Uint8Array(rows.length);
  const cache = new Map<number, number>();
  const stride = strings.length + 1;
  for (let i = 0; i < rows.length; i++) {
    const key = rows.k[i] * stride + rows.msg[i] + 1;
    let ok = cache.get(key);
    if (ok === undefined) {
      ok = recordVisible(filter, strings[rows.k[i]], rows.msg[i] >= 0 ? strings[rows.msg[i]] : undefined) ? 1 : 0;
      cache.set(key, ok);
    }
    mask[i] = ok;
  }
  return mask;
}
