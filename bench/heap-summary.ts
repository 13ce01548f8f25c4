/**
 * What a V8 heap snapshot holds, as plain-text tables for bench/README.md: live bytes by node type
 * and name, plain objects by their property names (the records, messages and batches a model
 * keeps), and arrays' element stores by size and by the property that holds their array (an
 * array grown by `push` from `[]` has room for 17 elements: a vector of four kept per event shows
 * as "152 B via value").
 *
 *   node --import=tsx bench/xray.ts --only stream-replay --heap DIR     (a snapshot part-way through the hour)
 *   node --import=tsx bench/heap-summary.ts DIR/xray-stream-replay.heapsnapshot [--top 20]
 *
 * Sizes are V8's self sizes (an object without what it points to). A snapshot lists a property as
 * an edge only when it holds a heap object: small-integer fields are not named, so an object's
 * group is the names of its fields that hold objects, strings or boxed numbers. An array held by
 * several objects is named by the first of them the snapshot lists.
 */
import { readFileSync } from 'node:fs';

/** The parts of a `.heapsnapshot` (Chrome DevTools format) this reads. */
interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Bytes and count per key, largest first. */
class Tally {
  private readonly rows = new Map<string, [bytes: number, count: number]>();

  add(key: string, bytes: number): void {
    const row = this.rows.get(key);
    if (row === undefined) this.rows.set(key, [bytes, 1]);
    else {
      row[0] += bytes;
      row[1]++;
    }
  }

  lines(top: number): string[] {
    return [...this.rows]
      .sort((a, b) => b[1][0] - a[1][0] || (a[0] < b[0] ? -1 : 1))
      .slice(0, top)
      .map(([key, [bytes, count]]) => `${(bytes / 1e6).toFixed(2).padStart(8)} MB ${count.toLocaleString('en-US').padStart(10)}  ${key}`);
  }
}

function summarize(heap: HeapSnapshot, top: number): string {
  const { meta } = heap.snapshot;
  const width = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const TYPE = meta.node_fields.indexOf('type');
  const NAME = meta.node_fields.indexOf('name');
  const SIZE = meta.node_fields.indexOf('self_size');
  const EDGES = meta.node_fields.indexOf('edge_count');
  const EDGE_TYPE = meta.edge_fields.indexOf('type');
  const EDGE_NAME = meta.edge_fields.indexOf('name_or_index');
  const EDGE_TO = meta.edge_fields.indexOf('to_node');
  const count = heap.nodes.length / width;
  // Who first points at each node, and by which property (an array's holder; an element store's array).
  const holder = new Int32Array(count).fill(-1);
  const via = new Array<string>(count);
  const byType = new Tally();
  const objects = new Tally();
  let total = 0;
  let edge = 0;
  for (let node = 0; node < count; node++) {
    const at = node * width;
    const type = nodeTypes[heap.nodes[at + TYPE]!]!;
    const name = heap.strings[heap.nodes[at + NAME]!]!;
    const size = heap.nodes[at + SIZE]!;
    total += size;
    // Strings are named by their text: grouped by type alone.
    byType.add(type.includes('string') ? type : `${type}: ${name.slice(0, 60)}`, size);
    const properties: string[] = [];
    for (let e = 0; e < heap.nodes[at + EDGES]!; e++, edge += edgeWidth) {
      const to = heap.edges[edge + EDGE_TO]! / width;
      const kind = edgeTypes[heap.edges[edge + EDGE_TYPE]!]!;
      const label = kind === 'property' ? heap.strings[heap.edges[edge + EDGE_NAME]!]! : `(${kind})`;
      if (kind === 'property') properties.push(label);
      if (holder[to] === -1) {
        holder[to] = node;
        via[to] = label;
      }
    }
    if (type === 'object' && name === 'Object') objects.add(`{${properties.filter((p) => p !== '__proto__').join(', ')}}`, size);
  }
  const elements = new Tally();
  for (let node = 0; node < count; node++) {
    const at = node * width;
    if (nodeTypes[heap.nodes[at + TYPE]!] !== 'array' || heap.strings[heap.nodes[at + NAME]!] !== '(object elements)') continue;
    const array = holder[node]!;
    elements.add(`${heap.nodes[at + SIZE]} B via ${array < 0 ? '?' : (via[array] ?? '?')}`, heap.nodes[at + SIZE]!);
  }
  return [
    `${(total / 1e6).toFixed(1)} MB live in ${count.toLocaleString('en-US')} nodes`,
    '',
    'by type and name:',
    ...byType.lines(top),
    '',
    'plain objects by the properties that hold heap values:',
    ...objects.lines(top),
    '',
    "arrays' element stores by size, and the property holding the array:",
    ...elements.lines(top),
  ].join('\n');
}

const argv = process.argv.slice(2);
const topAt = argv.indexOf('--top');
const top = topAt < 0 ? 20 : Number(argv[topAt + 1]);
const path = argv.find((a, i) => !a.startsWith('--') && (topAt < 0 || i !== topAt + 1));
if (path === undefined || argv.includes('--help') || !Number.isInteger(top) || top < 1) {
  process.stderr.write('usage: node --import=tsx bench/heap-summary.ts FILE.heapsnapshot [--top N]\n');
  process.exit(2);
}
let heap: HeapSnapshot;
try {
  heap = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot;
  if (!Array.isArray(heap.snapshot?.meta?.node_fields) || !Array.isArray(heap.nodes)) throw new Error('not a V8 heap snapshot (no snapshot.meta.node_fields or nodes)');
} catch (error) {
  process.stderr.write(`${path}: ${(error as Error).message}\n`);
  process.exit(2);
}
process.stdout.write(`${summarize(heap, top)}\n`);
