/**
 * What a listener declares it reads (kernel/contract/reads.ts: kinds, per kind the ops, a field it
 * must carry) is what it gets: every record that meets the declaration, and no other, in trace
 * order — whichever way the record was written (whole, by its fields, by shape, as a hot kind, or
 * serialised by another thread), with the readers' lookups kept across records and dropped when a
 * listener comes. Declarations change what is handed over, never the hash.
 */
import test from 'ava';
import fc from 'fast-check';
import type { Reads, RecordKind, TraceRecord } from '../../src/kernel/index.ts';
import { recordShape, TraceHasher, TraceWriter } from '../../src/kernel/index.ts';

const LOG = recordShape('log', [['op', 'string'], ['topic', 'string'], ['offset', 'number']]);
const DISK = recordShape('disk', [['op', 'string'], ['file', 'string'], ['bytes', 'number']]);
/** A shape with no `op`, whose `cover` may be left out: its readers depend on the record. */
const STEP = recordShape('state', [['event', 'string'], ['cover', 'string']]);
/** `op` not first. */
const CLIENT = recordShape('client', [['events', 'json'], ['op', 'string']]);

const KINDS: readonly RecordKind[] = ['log', 'disk', 'state', 'client', 'send', 'timer'];
const OPS = ['append', 'hw', 'fsync', 'produce', 'x'];

/** Whether a record meets a declaration, as contract/reads.ts words it. */
function meets(reads: Reads, record: TraceRecord): boolean {
  if (reads.kinds !== undefined && !reads.kinds.includes(record.k)) return false;
  const ops = reads.ops?.[record.k];
  if (ops !== undefined && !ops.includes(record.op as string)) return false;
  return reads.carrying === undefined || record[reads.carrying] !== undefined;
}

const reads: fc.Arbitrary<Reads> = fc.record(
  {
    kinds: fc.subarray([...KINDS]),
    ops: fc.dictionary(fc.constantFrom(...KINDS), fc.subarray(OPS)),
    carrying: fc.constantFrom('cover', 'file', 'topic'),
  },
  { requiredKeys: [] },
);

const op = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...OPS) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, 7) });
const maybe = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });
/** One write, as a function of the writer and its actor numbers. */
type Write = (w: TraceWriter, actors: readonly number[], t: number) => void;
const write: fc.Arbitrary<Write> = fc.oneof(
  fc.tuple(op, fc.constantFrom('t-0', 't-1')).map(([o, topic]): Write => (w, _, t) => w.writeShaped(LOG, t, 'b', 0, t, [o, topic, t])),
  fc.tuple(op, maybe(fc.constantFrom('s-0.log', 's-1.log'))).map(([o, file]): Write => (w, _, t) => w.writeShaped(DISK, t, 'b', 0, t, [o, file, 8])),
  maybe(fc.constantFrom('store.recover', 'ckpt.restore')).map((cover): Write => (w, _, t) => w.writeShaped(STEP, t, 'b', 0, t, [`e${t}`, cover])),
  op.map((o): Write => (w, _, t) => w.writeShaped(CLIENT, t, 'b', 0, t, [['e1'], o])),
  fc.tuple(fc.constantFrom<RecordKind>('log', 'client', 'state'), op, maybe(fc.constantFrom('producer.retry'))).map(
    ([k, o, cover]): Write =>
      (w, _, t) =>
        w.writeFields({ t, k, a: 'b', n: t }, { op: o, cover, topic: 't-0' }, 0),
  ),
  fc.tuple(fc.constantFrom<RecordKind>('log', 'disk'), op).map(([k, o]): Write => (w, _, t) => w.write({ t, k, a: 'c', n: t, op: o, file: 'f' })),
  fc.constant<Write>((w, [b, c], t) => w.writeSend(t, b!, t, c!, 'm', 3)),
  fc.constant<Write>((w, [b], t) => w.writeTimer(t, b!, t, 'tick')),
);

test('a listener gets every record its declaration takes, and no other, in order, by every path a record is written', (t) => {
  fc.assert(
    fc.property(fc.array(reads, { maxLength: 4 }), fc.array(write, { minLength: 1, maxLength: 40 }), fc.nat({ max: 40 }), (declared, writes, lateAt) => {
      const writer = new TraceWriter();
      const all: TraceRecord[] = [];
      writer.listen((record) => all.push(record));
      const got = declared.map(() => [] as TraceRecord[]);
      // The last declaration comes late, after `lateAt` records: the lookups kept so far are dropped.
      const late = declared.length - 1;
      declared.forEach((r, i) => i !== late && writer.listen((record) => got[i]!.push(record), r));
      const actors = ['b', 'c'].map((id) => writer.addActor(id));
      const lateFrom = Math.min(lateAt, writes.length);
      writes.forEach((w, i) => {
        if (i === lateFrom && late >= 0) writer.listen((record) => got[late]!.push(record), declared[late]);
        w(writer, actors, i);
      });
      if (lateFrom === writes.length && late >= 0) writer.listen((record) => got[late]!.push(record), declared[late]);
      declared.forEach((r, i) => {
        const from = i === late ? lateFrom : 0;
        t.deepEqual(got[i], all.filter((record) => record.t >= from && meets(r, record)), JSON.stringify(r));
      });

      // The same records serialised by another thread, handed to the same declarations.
      const merged = new TraceWriter();
      const again = declared.map(() => [] as TraceRecord[]);
      declared.forEach((r, i) => merged.listen((record) => again[i]!.push(record), r));
      const hasher = new TraceHasher();
      for (const record of all) {
        const line = JSON.stringify(record);
        hasher.digest(JSON.parse(line) as object);
        merged.writeSerialized(line, hasher.d1, hasher.d2);
      }
      const lines = (records: TraceRecord[]) => records.map((record) => JSON.stringify(record));
      declared.forEach((r, i) => t.deepEqual(lines(again[i]!), lines(all.filter((record) => meets(r, record))), `serialised, ${JSON.stringify(r)}`));
      t.is(merged.close(), writer.close(), 'declarations change what is handed over, never the hash');
    }),
    { numRuns: 300 },
  );
});

test('a shaped record goes to the readers whose declarations it meets, in the order they came, and one nobody declares to none (still counted)', (t) => {
  const writer = new TraceWriter();
  const calls: string[] = [];
  writer.listen((record) => calls.push(`hw-reader ${String(record.op)}`), { kinds: ['log'], ops: { log: ['hw'] } });
  writer.listen((record) => calls.push(`cover-reader ${String(record.op)}`), { carrying: 'cover' });
  writer.listen((record) => calls.push(`log-reader ${String(record.op)}`), { kinds: ['log'] });
  const actor = writer.addActor('broker-1');
  const values = ['append', 't', 1] as const;
  writer.writeShaped(LOG, 1, 'broker-1', actor, 0, values);
  writer.writeShaped(LOG, 2, 'broker-1', actor, 1, ['hw', 't', 1]);
  writer.writeFields({ t: 3, k: 'log', a: 'broker-1', n: 2 }, { op: 'truncate', cover: 'log.truncate' }, actor);
  t.deepEqual(calls, ['log-reader append', 'hw-reader hw', 'log-reader hw', 'cover-reader truncate', 'log-reader truncate']);
  // A listener that comes after the shape's readers were looked up is found from its next record.
  calls.length = 0;
  writer.listen((record) => calls.push(`late-reader ${String(record.op)}`), { kinds: ['log'], ops: { log: ['append'] } });
  writer.writeShaped(LOG, 4, 'broker-1', actor, 3, values);
  t.deepEqual(calls, ['log-reader append', 'late-reader append']);
  // Without the log reader, an append is read by nobody: digested and counted only.
  const quiet = new TraceWriter();
  quiet.listen(() => t.fail('no append is read'), { kinds: ['log'], ops: { log: ['hw'] } });
  quiet.writeShaped(LOG, 1, 'broker-1', quiet.addActor('broker-1'), 0, values);
  t.is(quiet.records, 1);
  t.throws(() => quiet.listen(() => undefined, { carrying: 'k' }), { message: 'a trace listener cannot ask for records carrying k: every record has it' });
  for (let i = 0; i < 16; i++) quiet.listen(() => undefined, { kinds: ['meta'], carrying: `field-${i}` });
  t.throws(() => quiet.listen(() => undefined, { carrying: 'one-too-many' }), { message: 'trace listeners carrying more than 16 distinct fields' });
  // An op that is data (past the lookups' bound): each record still reaches exactly its readers.
  const many = new TraceWriter();
  const got: unknown[] = [];
  many.listen((record) => got.push(record.op), { kinds: ['log'], ops: { log: ['keep-7', 'keep-99'] } });
  many.listen((record) => got.push(record.cover), { carrying: 'cover' });
  const broker = many.addActor('broker-1');
  for (let i = 0; i < 200; i++) {
    many.writeFields({ t: i, k: 'log', a: 'broker-1', n: 2 * i }, { op: `keep-${i}`, ...(i % 50 === 0 ? { cover: `c${i}` } : {}) }, broker);
    many.writeShaped(LOG, i, 'broker-1', broker, 2 * i + 1, [`keep-${i}`, 't', i]);
  }
  t.deepEqual(got, ['c0', 'keep-7', 'keep-7', 'c50', 'keep-99', 'keep-99', 'c100', 'c150']);
});
