import test from 'ava';
import fc from 'fast-check';
import { formatPath, parsePath } from '../../src/scenario/paths.ts';
import { closest, editDistance, suggestion } from '../../src/scenario/suggest.ts';

test('field paths are written the way users write them', (t) => {
  t.is(formatPath(['links', 0, 'latency']), 'links[0].latency');
  t.is(formatPath(['sites', 'hpc', 'lan', 'bandwidth']), 'sites.hpc.lan.bandwidth');
  t.is(formatPath(['services', 'log', 'replication.factor']), 'services.log["replication.factor"]');
  t.is(formatPath([]), '');
  t.deepEqual(parsePath('links[0].latency'), ['links', 0, 'latency']);
  t.deepEqual(parsePath('services.log["replication.factor"]'), ['services', 'log', 'replication.factor']);
});

test('malformed paths are refused', (t) => {
  for (const text of ['', '.a', 'a.', 'a..b', 'a[x]', 'a[0]b', 'a b', '[0]x']) {
    t.is(typeof parsePath(text), 'string', text);
  }
});

test('an index past any list is refused as typed, never echoed rounded', (t) => {
  // Number('99999999999999999999') is 1e20: a message built from the parsed number would show 100000000000000000000.
  for (const index of ['99999999999999999999', '9007199254740992']) {
    const said = parsePath(`links[${index}].latency`);
    t.is(typeof said, 'string', index);
    t.true((said as string).includes(`[${index}]`), said as string);
  }
  t.deepEqual(parsePath('links[9007199254740991]'), ['links', 9007199254740991]);
});

test('parsePath inverts formatPath', (t) => {
  const step = fc.oneof(fc.nat(1000), fc.string({ minLength: 1, maxLength: 12 }));
  fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), (path) => {
    const back = parsePath(formatPath(path));
    return JSON.stringify(back) === JSON.stringify(path);
  }));
  t.pass();
});

test('edit distance counts a swap of neighbours as one edit', (t) => {
  t.is(editDistance('latency', 'latency'), 0);
  t.is(editDistance('lantency', 'latency'), 1);
  t.is(editDistance('fulsh', 'flush'), 1);
  t.is(editDistance('', 'abc'), 3);
});

test('suggestions only when plausible, ties broken by name', (t) => {
  t.is(closest('bandwith', ['latency', 'bandwidth', 'jitter']), 'bandwidth');
  t.is(closest('Latency', ['latency']), 'latency');
  t.is(closest('colour', ['role', 'nodes', 'lan', 'disk']), undefined);
  t.is(closest('ab', ['ac', 'aa']), 'aa');
  t.is(suggestion('x', [], '; none here'), '; none here');
  const many = Array.from({ length: 20 }, (_, i) => `node-${i + 100}`);
  t.is(suggestion('zzzzzzzz', many), `; expected one of: ${many.slice(0, 12).join(', ')}, … (8 more)`);
});
