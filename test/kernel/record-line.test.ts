/**
 * The hand-written lines of the hot record kinds equal `JSON.stringify` byte for byte — on
 * generated records with awkward strings and numbers, on fields of unexpected types (the fallback),
 * and on every record a kernel run writes — so the trace hash cannot depend on which path wrote it.
 */
import test from 'ava';
import type { Context, Message, TraceRecord } from '../../src/kernel/index.ts';
import { deriveRng, type Rng } from '../../src/kernel/index.ts';
import { recvLine, sendLine, timerLine, type RecvRecord, type SendRecord, type TimerRecord } from '../../src/kernel/record-line.ts';
import { Kernel } from './_harness.ts';

/** Strings JSON must escape or keep as they are: quotes, backslashes, every control character, the
 * line separators JSON leaves raw, non-ASCII, surrogate pairs and lone surrogates. */
const ODD_STRINGS = [
  '',
  'plain',
  '"quoted"',
  'back\\slash',
  '\\"',
  ...Array.from({ length: 0x20 }, (_, c) => `ctl${String.fromCharCode(c)}end`),
  '\u007f',
  '\u2028\u2029',
  'ünïcødé · µs',
  '日本語',
  '🙂 smile',
  '\ud83d\ude42',
  '\ud800',
  '\udfff',
  'x\ud800y',
  '\udc00\ud800',
  '</script>',
];

/** Numbers a field may hold: JSON writes every finite one as `String` does. */
const ODD_NUMBERS = [0, -0, 1, -1, 42, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e21, 1.5e300, -123.456, 0.1, 5e-7, 1 / 3];

function pick<T>(rng: Rng, values: readonly T[]): T {
  return values[rng.int(0, values.length - 1)];
}

/** A string made of 0–3 odd pieces, so escapes also meet each other. */
function oddString(rng: Rng): string {
  let value = '';
  for (let i = rng.int(0, 3); i > 0; i--) value += pick(rng, ODD_STRINGS);
  return value;
}

function head(rng: Rng): { t: number; a: string; n: number } {
  return { t: rng.int(0, 2 ** 40), a: oddString(rng), n: rng.int(0, 1_000_000) };
}

test('send, recv and timer lines equal JSON.stringify on generated records', (t) => {
  const rng = deriveRng(7, 'test', 'record-line');
  for (let i = 0; i < 5_000; i++) {
    const { t: time, a, n } = head(rng);
    const send: SendRecord = { t: time, k: 'send', a, n, to: oddString(rng), msg: oddString(rng), bytes: pick(rng, ODD_NUMBERS) };
    const recv: RecvRecord = { t: time, k: 'recv', a, n, from: oddString(rng), msg: oddString(rng), s: pick(rng, ODD_NUMBERS) };
    const timer: TimerRecord = { t: time, k: 'timer', a, n, name: oddString(rng) };
    for (const [line, record] of [[sendLine(send), send], [recvLine(recv), recv], [timerLine(timer), timer]] as const) {
      if (line !== JSON.stringify(record)) {
        t.fail(`line ${line} differs from JSON.stringify ${JSON.stringify(record)}`);
        return;
      }
    }
  }
  t.pass();
});

test('every odd string and number on its own, in every field', (t) => {
  for (const value of ODD_STRINGS) {
    const send: SendRecord = { t: 1, k: 'send', a: value, n: 0, to: value, msg: value, bytes: 64 };
    const recv: RecvRecord = { t: 1, k: 'recv', a: value, n: 0, from: value, msg: value, s: 0 };
    const timer: TimerRecord = { t: 1, k: 'timer', a: value, n: 0, name: value };
    t.is(sendLine(send), JSON.stringify(send));
    t.is(recvLine(recv), JSON.stringify(recv));
    t.is(timerLine(timer), JSON.stringify(timer));
  }
  for (const value of ODD_NUMBERS) {
    const send: SendRecord = { t: value, k: 'send', a: 'a', n: value, to: 'b', msg: 'm', bytes: value };
    const recv: RecvRecord = { t: value, k: 'recv', a: 'a', n: value, from: 'b', msg: 'm', s: value };
    t.is(sendLine(send), JSON.stringify(send));
    t.is(recvLine(recv), JSON.stringify(recv));
  }
});

test('fields of unexpected types fall back to JSON.stringify: non-finite numbers, missing or non-string names', (t) => {
  const odd = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, undefined, null, 7, 'text', { nested: '"' }, [1, 'two']];
  for (const value of odd) {
    const send = { t: 1, k: 'send', a: 'a', n: 0, to: value, msg: value, bytes: value } as unknown as SendRecord;
    const recv = { t: 1, k: 'recv', a: 'a', n: 0, from: value, msg: value, s: value } as unknown as RecvRecord;
    const timer = { t: 1, k: 'timer', a: 'a', n: 0, name: value } as unknown as TimerRecord;
    t.is(sendLine(send), JSON.stringify(send), `send with ${String(value)}`);
    t.is(recvLine(recv), JSON.stringify(recv), `recv with ${String(value)}`);
    t.is(timerLine(timer), JSON.stringify(timer), `timer with ${String(value)}`);
  }
});

test('a kernel run hands every listener the JSON.stringify of its record, with odd actor ids, types and timer names', (t) => {
  const ids = ['pinger "one"', 'pönger\\\n\ud800'];
  const kernel = new Kernel(3);
  const lines: [TraceRecord, string][] = [];
  kernel.trace.listen((record, line) => lines.push([record, line]));
  kernel
    .spawn(ids[0], () => ({
      start: (ctx: Context) => {
        ctx.send(ids[1], { type: 'ball "\u2028"' }, { bytes: 1500 });
        ctx.send('nobody\t', { type: 'lost' });
        ctx.setTimer(250, 'tick\u0001🙂');
      },
    }))
    .spawn(ids[1], () => ({ onMessage: (ctx: Context, message: Message, from: string) => void ctx.send(from, message) }));
  kernel.run();
  const kinds = new Set(lines.map(([record]) => record.k));
  for (const kind of ['send', 'recv', 'timer', 'drop']) t.true(kinds.has(kind as TraceRecord['k']), `the run wrote a ${kind} record`);
  for (const [record, line] of lines) t.is(line, JSON.stringify(record));
});
