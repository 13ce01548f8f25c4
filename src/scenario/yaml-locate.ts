/**
 * Maps a field path (`links[0].latency`) to the line of the YAML file where it is written.
 *
 * Guarantee: always returns a line ≥ 1. For a path that exists, it is the line of the value (for
 * a scalar), of the key (for a map entry whose value spans lines, or with `isKey`), or of the
 * list item; for a path that does not exist (a missing field), it is the line of the deepest part
 * that does, usually the key of the map that lacks the field.
 *
 * Why not `doc.getIn(path, true)` alone: it returns value nodes only (the line of an unknown key
 * needs the key node), it compares keys by identity (a YAML key `1` is not the string "1"), and
 * it stops at aliases. Walking pairs by hand handles all three.
 */
import { type Document, type LineCounter, type Node, type Pair, type YAMLMap, isAlias, isMap, isScalar, isSeq } from 'yaml';
import { tryReadBandwidth, tryReadDuration, tryReadRate, tryReadSize } from './units.ts';

export function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[], isKey = false): number {
  return walk(doc, lines, path, isKey).line;
}

/**
 * A number as the file writes it, when the parsed value reads differently: `1e400` (parsed as
 * Infinity), `9007199254740993` (rounded to …992), `0x10` (16). Undefined for anything else, so a
 * message quotes the user's own text and not what the parser made of it.
 */
export function writtenNumber(doc: Document, path: readonly PropertyKey[]): { parsed: string; written: string } | undefined {
  const { node } = walk(doc, undefined, path, false);
  if (!isScalar(node) || typeof node.value !== 'number' || node.source === undefined) return undefined;
  const parsed = String(node.value);
  return node.source === parsed ? undefined : { parsed, written: node.source };
}

/** The scalar at `path` as written: a string's text, a number's source; undefined for a map, a list or nothing. */
export function writtenScalar(doc: Document, path: readonly PropertyKey[]): string | undefined {
  const { node } = walk(doc, undefined, path, false);
  if (!isScalar(node)) return undefined;
  if (typeof node.value === 'number') return node.source ?? String(node.value);
  return typeof node.value === 'string' ? node.value : undefined;
}

/**
 * A message that opens with its field's value as the program writes it (`0us is too short`,
 * `0s would end a partition`) opens with it as the user wrote it (`0s`, `0ms`): the same quantity
 * in another spelling reads as a value nobody typed. Any other message is returned unchanged.
 */
export function leadAsWritten(message: string, written: string | undefined): string {
  const lead = /^\S+/.exec(message)?.[0];
  if (lead === undefined || written === undefined || lead === written) return message;
  for (const read of [tryReadDuration, tryReadSize, tryReadBandwidth, tryReadRate]) {
    const ours = read(lead);
    const theirs = read(written);
    if (ours.ok && theirs.ok && ours.value === theirs.value) return `${written}${message.slice(lead.length)}`;
  }
  return message;
}

/** The node at `path` (undefined when the path does not exist) and the line to report for it. */
function walk(doc: Document, lines: LineCounter | undefined, path: readonly PropertyKey[], isKey: boolean): { node: Node | null | undefined; line: number } {
  const lineAt = (node: Node | null | undefined): number | undefined =>
    node?.range && lines !== undefined ? Math.max(1, lines.linePos(node.range[0]).line) : undefined;
  let node = resolve(doc, doc.contents);
  let line = lineAt(node) ?? 1;
  for (const [i, step] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = pairOf(doc, node, String(step));
      if (pair === undefined) return { node: undefined, line };
      line = lineAt(pair.key as Node) ?? line;
      if (last && isKey) return { node: undefined, line };
      node = resolve(doc, pair.value as Node | null);
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as Node | undefined;
      if (item === undefined) return { node: undefined, line };
      node = resolve(doc, item);
      line = lineAt(node) ?? line;
    } else {
      return { node: undefined, line };
    }
  }
  // A scalar may sit on the line after its key (`latency:\n  fast`); point at the value itself.
  return { node, line: isScalar(node) ? (lineAt(node) ?? line) : line };
}

/**
 * The pair of `key` in `map`, or in the maps it merges (`<<: *defaults`, `<<: [*a, *b]`): a merged
 * field is written where its anchor is. The map's own keys win, then the merged maps in order, as
 * YAML merges them.
 */
function pairOf(doc: Document, map: YAMLMap, key: string, seen = new Set<YAMLMap>()): Pair | undefined {
  // A map that merges itself (through an alias of an enclosing anchor) is refused elsewhere; not looped on here.
  if (seen.has(map)) return undefined;
  seen.add(map);
  const own = map.items.find((item) => keyText(item.key) === key);
  if (own !== undefined) return own;
  for (const merge of map.items.filter((item) => isScalar(item.key) && typeof item.key.value === 'symbol')) {
    const value = resolve(doc, merge.value as Node | null);
    const sources = isSeq(value) ? value.items.map((item) => resolve(doc, item as Node)) : [value];
    for (const source of sources) {
      const found = isMap(source) ? pairOf(doc, source, key, seen) : undefined;
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function resolve(doc: Document, node: Node | null | undefined): Node | null | undefined {
  return isAlias(node) ? (node.resolve(doc) as Node | undefined) : node;
}
