/**
 * The filter box (viz/model/filter.ts): which lanes and records a text shows, and that a word
 * matching nothing is reported rather than silently ignored.
 */
import test from 'ava';
import { laneVisible, parseFilter, recordMask } from '../../viz/model/filter.ts';
import type { Lane } from '../../viz/model/lanes.ts';

const lanes: Lane[] = [
  { actor: 0, id: 'producer', node: 'edge-1', site: 'edge' },
  { actor: 1, id: 'broker-1', node: 'hpc-1', site: 'hpc' },
  { actor: 2, id: 'broker-2', node: 'hpc-2', site: 'hpc' },
];
const vocabulary = { lanes, kinds: ['send', 'recv', 'timer', 'drop'], msgs: ['produce', 'replicate', 'fetch'] };
const shown = (text: string) => lanes.filter((lane) => laneVisible(parseFilter(text, vocabulary), lane)).map((l) => l.id);

test('lane terms choose lanes by site, node or actor, and a minus excludes', (t) => {
  t.deepEqual(shown(''), ['producer', 'broker-1', 'broker-2']);
  t.deepEqual(shown('site:hpc'), ['broker-1', 'broker-2']);
  t.deepEqual(shown('node:hpc-2 producer'), ['producer', 'broker-2']);
  t.deepEqual(shown('-broker-1'), ['producer', 'broker-2']);
  t.deepEqual(shown('HPC -node:hpc-1'), ['broker-2']);
});

test('record terms choose kinds and message types; lanes stay', (t) => {
  const filter = parseFilter('msg:produce kind:timer', vocabulary);
  t.deepEqual(shown('msg:produce'), ['producer', 'broker-1', 'broker-2']);
  const strings = ['send', 'recv', 'timer', 'produce', 'fetch'];
  const rows = { length: 4, k: Int32Array.from([0, 1, 2, 0]), msg: Int32Array.from([3, 4, -1, 4]) };
  t.deepEqual([...recordMask(filter, rows, strings)!], [1, 0, 1, 0]);
  t.is(recordMask(parseFilter('site:edge', vocabulary), rows, strings), null, 'no record terms: nothing to mask');
});

test('words that match nothing are reported', (t) => {
  const filter = parseFilter('brokr msg:nothing hpc', vocabulary);
  t.deepEqual(filter.unmatched, ['brokr', 'msg:nothing']);
  t.is(filter.lane.length, 1);
});
