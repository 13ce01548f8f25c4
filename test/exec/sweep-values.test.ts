import test from 'ava';
import { InputError } from '../../src/kernel/contract/index.ts';
import { parseParam, parseSeeds, parseVariant, splitTopLevel, strategyVariants } from '../../src/exec/sweep-values.ts';

const texts = (argument: string) => parseParam(argument).values.map((v) => v.text);
const fails = (t: import('ava').ExecutionContext, f: () => unknown, message: RegExp) => {
  const error = t.throws(f, { instanceOf: InputError });
  t.regex(error!.message, message);
  t.false(error!.message.includes('\n'), 'one line');
};

test('lists keep their order; words are categories, quantities have magnitudes', (t) => {
  const p = parseParam('services.store.flush=5s,every-write,never');
  t.is(p.path, 'services.store.flush');
  t.deepEqual(p.values, [{ text: '5s', x: 5_000_000 }, { text: 'every-write', x: null }, { text: 'never', x: null }]);
  t.is(p.scale, 'category');
  t.like(parseParam('links[0].latency=500us,20ms'), { path: 'links[0].latency', kind: 'duration', scale: 'linear' });
});

test('ranges: whole steps, evenly spaced and log-spaced, with units', (t) => {
  t.deepEqual(texts('sites.hpc.nodes=1..4'), ['1', '2', '3', '4']);
  t.deepEqual(texts('x=1s..4s'), ['1s', '2s', '3s', '4s']);
  t.deepEqual(texts('x=0..1:5'), ['0', '0.25', '0.5', '0.75', '1']);
  const log = parseParam('checkpoint.interval=10s..10m:log:12');
  t.is(log.scale, 'log');
  t.is(log.values.length, 12);
  t.deepEqual(log.values.map((v) => v.text), ['10s', '14.5s', '21.1s', '30.5s', '44.3s', '1.07m', '1.56m', '2.26m', '3.27m', '4.75m', '6.89m', '10m']);
  // Every label is exactly the value used: the magnitude is read back from the label.
  t.is(log.values[5]!.x, 64_200_000);
  t.deepEqual(texts('x=100ms..10s:log:3'), ['100ms', '1s', '10s']);
  t.deepEqual(texts('x=1/s..100/s:log:3'), ['1/s', '10/s', '100/s']);
  t.deepEqual(texts('x=1KiB..4KiB:4'), ['1KiB', '2KiB', '3KiB', '4KiB']);
  t.deepEqual(texts('x=1%..3%'), ['1%', '2%', '3%']);
  t.deepEqual(texts('x=1..3,10,20..21'), ['1', '2', '3', '10', '20', '21'], 'lists and ranges mix');
  t.deepEqual(texts('x=1000..1003'), ['1000', '1001', '1002', '1003'], 'more digits where three would repeat');
});

test('flow values survive the comma split', (t) => {
  t.deepEqual(splitTopLevel('checks=[a, b],x=1,"q,r"'), ['checks=[a, b]', 'x=1', '"q,r"']);
  t.deepEqual(texts('checks=[no-acked-loss],[]'), ['[no-acked-loss]', '[]']);
});

test('bad values are one-line input errors naming the argument', (t) => {
  fails(t, () => parseParam('x=10..1'), /^--param x=10\.\.1: the range 10\.\.1 is empty/);
  fails(t, () => parseParam('x='), /^--param x=: no values/);
  fails(t, () => parseParam('x=1,,2'), /empty item/);
  fails(t, () => parseParam('x=1..3,3'), /the value 3 appears twice/);
  fails(t, () => parseParam('x=1s..5MiB'), /same kind of quantity \(duration and size\)/);
  fails(t, () => parseParam('x=0..10s:log:3'), /must start above zero/);
  fails(t, () => parseParam('x=1..5:1'), /ask for at least 2/);
  fails(t, () => parseParam('x=1m30s..2m30s:3'), /one unit each/);
  // A spacing but log, or log without a count (red before: "10s:lin is not a number or a quantity with a unit").
  fails(t, () => parseParam('x=1s..10s:lin:3'), /^--param x=1s\.\.10s:lin:3: "1s\.\.10s:lin:3": unknown spacing "lin"; a range is from\.\.to \(every step of the unit\), from\.\.to:COUNT \(evenly spaced\) or from\.\.to:log:COUNT \(log-spaced\)$/);
  // An empty strategy list or name (red before: '--strategies : "" is not a usable name').
  fails(t, () => strategyVariants(''), /^--strategies "": an empty strategy name; give names like --strategies none,coordinated$/);
  fails(t, () => strategyVariants('none,'), /^--strategies "none,": an empty strategy name/);
  fails(t, () => parseParam('x=1s..10s:log'), /"1s\.\.10s:log": a log range needs its count;/);
  fails(t, () => parseParam('x=1MiB..1GiB:log:4'), /not a whole number of bytes; write its start in a smaller unit/);
  fails(t, () => parseParam('x=1..100000'), /at most 10000/);
  fails(t, () => parseParam('=1,2'), /expected path=values/);
  fails(t, () => parseParam('x[0=1'), /expected a field path/);
});

test('seeds: a count, a range or a list', (t) => {
  t.deepEqual(parseSeeds('3'), [1, 2, 3]);
  t.deepEqual(parseSeeds('5..7,10'), [5, 6, 7, 10]);
  fails(t, () => parseSeeds('0'), /^--seeds 0: asks for no seeds/);
  fails(t, () => parseSeeds('7..5'), /empty/);
  fails(t, () => parseSeeds('1.5,2'), /whole numbers/);
});

test('variants and strategies', (t) => {
  t.deepEqual(parseVariant('fsync5s:services.store.flush=5s,checks=[a, b]'), { name: 'fsync5s', sets: ['services.store.flush=5s', 'checks=[a, b]'] });
  t.deepEqual(strategyVariants('none,stream-replay'), [
    { name: 'none', sets: ['checkpoint.strategy=none'] },
    { name: 'stream-replay', sets: ['checkpoint.strategy=stream-replay'] },
  ]);
  fails(t, () => parseVariant('services.store.flush=5s'), /^--variant services\.store\.flush=5s: expected NAME:path=value/);
  fails(t, () => parseVariant('a b:x=1'), /not a usable name/);
  fails(t, () => parseVariant('a:x'), /"x" is not path=value/);
});
