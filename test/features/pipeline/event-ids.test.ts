/**
 * Event ids as small integers (event-ids.ts): every event a pipeline can mint gets its own number
 * below 2^31, the number names the event as its text did (`distribute/detector:17#2`) and reads
 * back from that name; a pipeline whose ids cannot fit, or whose lineages loop, is refused at build.
 */
import test from 'ava';
import { EventIds, type IdOperator } from '../../../src/kernel/contract/event-ids.ts';
import { InputError } from '../../../src/kernel/contract/index.ts';

const SECOND = 1_000_000;

/** Two sources into one split (two families), a window with previews over it, a map after it; beside them, a bank. */
const OPERATORS: IdOperator[] = [
  { name: 'detector', kind: 'source', parallelism: 2, to: 'frames', ratePerSec: 3 },
  { name: 'detector2', kind: 'source', parallelism: 1, to: 'frames', limit: 4 },
  { name: 'distribute', kind: 'split', parallelism: 1, from: 'frames', to: 'chunks', fanout: 3 },
  { name: 'recon', kind: 'window', parallelism: 2, from: 'chunks', to: 'slabs', window: 5, emitEvery: 2 },
  { name: 'denoise', kind: 'map', parallelism: 1, from: 'slabs', to: 'out' },
  { name: 'bank', kind: 'account', parallelism: 3, from: 'transfers', to: 'transfers', ratePerSec: 2 },
];

/** Every id the operators can mint in `stopUs`, with the text the pipeline named it by before ids were numbers. */
function everyEvent(ids: EventIds, stopUs: number): [number, string][] {
  const all: [number, string][] = [];
  const sources: [number, string][] = [];
  for (let k = 0; k < 3 * (stopUs / SECOND) + 1; k++) for (let i = 0; i < 2; i++) sources.push([ids.generated('detector', i, k), `detector-${i + 1}:${k}`]);
  for (let k = 0; k < 4; k++) sources.push([ids.generated('detector2', 0, k), `detector2:${k}`]);
  for (let k = 0; k < 2 * (stopUs / SECOND) + 1; k++) for (let i = 0; i < 3; i++) all.push([ids.generated('bank', i, k), `bank-${i + 1}:${k}`]);
  const pieces = sources.flatMap(([id, name]) => [0, 1, 2].map((j): [number, string] => [ids.piece('distribute', id, j, 3), `distribute/${name}#${j}`]));
  const windows: [number, string][] = [];
  const scans = Math.ceil((3 * (stopUs / SECOND) + 1) / 5);
  for (let scan = 0; scan < scans; scan++) {
    for (let key = 0; key < 3; key++) {
      windows.push([ids.windowed('recon', scan, key, 0), `recon/${scan}/${key}`]);
      for (const count of [2, 4]) windows.push([ids.windowed('recon', scan, key, count), `recon/${scan}/${key}@${count}`]);
    }
  }
  const mapped = windows.map(([id, name]): [number, string] => [ids.mapped('denoise', id), `denoise/${name}`]);
  return [...all, ...sources, ...pieces, ...windows, ...mapped];
}

test('every event gets its own small integer, which renders as its name and reads back from it', (t) => {
  const stopUs = 20 * SECOND;
  const ids = EventIds.of(OPERATORS, stopUs);
  const events = everyEvent(ids, stopUs);
  t.is(new Set(events.map(([id]) => id)).size, events.length, 'no two events share an id');
  t.is(new Set(events.map(([, name]) => name)).size, events.length);
  for (const [id, name] of events) {
    t.true(Number.isInteger(id) && id >= 0 && id < 2 ** 31, `${name}: ${id}`);
    if (ids.name(id) !== name) return t.fail(`${id} renders as ${ids.name(id)}, not ${name}`);
    if (ids.id(name) !== id) return t.fail(`${name} reads back as ${ids.id(name)}, not ${id}`);
  }
  // The families survive the trace's meta record (JSON) unchanged.
  const reread = new EventIds(JSON.parse(JSON.stringify(ids.families)));
  t.deepEqual(events.map(([id]) => reread.name(id)), events.map(([, name]) => name));
});

test('a name no event of the pipeline has reads as no id', (t) => {
  const ids = EventIds.of(OPERATORS, 20 * SECOND);
  for (const text of ['detector-3:0', 'detector-1:61', 'p-1', 'distribute/detector-1:0#3', 'distribute/detector-1:0', 'recon/0/3', 'recon/0/0@3', 'recon/0/0@6', 'denoise/detector-1:0', 'detector-1:01', 'kafka-p1-t-0-3']) {
    t.is(ids.id(text), undefined, text);
  }
});

test('the same event gets the same id in another build of the same pipeline (a replay, another thread)', (t) => {
  const [a, b] = [EventIds.of(OPERATORS, 20 * SECOND), EventIds.of(OPERATORS, 20 * SECOND)];
  t.deepEqual(everyEvent(a, 20 * SECOND), everyEvent(b, 20 * SECOND));
});

test('how it breaks: a pipeline whose ids do not fit below 2^31 is refused at build, naming the operator and what sizes it', (t) => {
  const big: IdOperator[] = [
    { name: 'camera', kind: 'source', parallelism: 4, to: 'frames', ratePerSec: 10_000 },
    { name: 'tiles', kind: 'split', parallelism: 1, from: 'frames', to: 'pieces', fanout: 4096 },
  ];
  const error = t.throws(() => EventIds.of(big, 3600 * SECOND), { instanceOf: InputError });
  t.regex(error!.message, /operator "tiles" \(split, fanout 4096\) brings the pipeline's event ids .* past 2\^31/);
  t.regex(error!.message, /"camera" \(rate 10000\/s over the duration × parallelism 4\)/);
  t.notThrows(() => EventIds.of(big, 10 * SECOND));
});

test('how it breaks: a split, map or window that reads back its own outputs is refused; accounts may pay each other', (t) => {
  const loop: IdOperator[] = [
    { name: 'src', kind: 'source', parallelism: 1, to: 'a', ratePerSec: 1 },
    { name: 'again', kind: 'map', parallelism: 1, from: 'a', to: 'a' },
  ];
  t.throws(() => EventIds.of(loop, SECOND), { instanceOf: InputError, message: /"again" \(map\) reads back its own outputs through stream "a"/ });
  t.notThrows(() => EventIds.of(OPERATORS.filter((op) => op.kind === 'account'), SECOND));
});

test('an event outside its family (a generator past what its rate allows) fails where it is minted', (t) => {
  const ids = EventIds.of(OPERATORS, 20 * SECOND);
  t.throws(() => ids.generated('detector', 0, 61), { message: /an event id is within its family's/ });
  t.notThrows(() => ids.generated('detector', 0, 60));
});
