/**
 * Randell's recovery line, computed apart from the simulator: from a run's own trace (every
 * transfer's send and receive, the checkpoints each process saved), the latest set of points —
 * one per process: a saved checkpoint, its start, or (a survivor) its state when recovery begins —
 * with no orphan message (received before the receiver's point, sent after the sender's) and no
 * message lost in transit (sent before the sender's point, received after the receiver's or never).
 * The failed process starts from its last checkpoint saved before the crash; each violation moves
 * the offending process back to its latest checkpoint before the message, until none is left (the
 * fixed point is the latest line: every move is forced). The coordinator's `rollback` record must
 * name the same line, on `scenarios/literature/domino-six.yaml` with three message patterns: a
 * cascade stopping short of the start, all six to the start, and one survivor disturbed.
 */
import test from 'ava';
import type { TraceRecord } from '../../src/kernel/index.ts';
import { run } from './literature-run.ts';

const FAILED = 'process-3';
const CRASH_US = 30_000_000;

interface Message {
  from: string;
  to: string;
  sentUs: number;
  /** Infinity: never received (in flight to the dead node, or still in flight). */
  receivedUs: number;
}

function recoveryLine(records: readonly TraceRecord[]): { line: Map<string, number>; recoveryUs: number } {
  const rollback = records.find((r) => r.k === 'ckpt' && r.op === 'rollback')!;
  const before = records.filter((r) => r.t <= rollback.t);
  const sends = new Map<string, TraceRecord>();
  const received = new Map<string, number>();
  for (const r of before) {
    if (r.k === 'send' && r.msg === 'stream:data') sends.set(`${r.a}#${r.n}`, r);
    if (r.k === 'recv' && r.msg === 'stream:data') received.set(`${String(r.from)}#${String(r.s)}`, r.t);
  }
  const messages: Message[] = [...sends].map(([key, s]) => ({ from: s.a, to: String(s.to), sentUs: s.t, receivedUs: received.get(key) ?? Infinity }));
  const checkpoints = new Map<string, number[]>();
  for (const r of before) {
    if (r.k !== 'ckpt' || r.op !== 'saved' || (r.a === FAILED && r.t >= CRASH_US)) continue;
    checkpoints.set(r.a, [...(checkpoints.get(r.a) ?? [0]), r.id as number]);
  }
  const processes = Object.keys(rollback.targets as object);
  const line = new Map(processes.map((p) => [p, p === FAILED ? Math.max(...(checkpoints.get(p) ?? [0])) : rollback.t]));
  const back = (p: string, atUs: number) => {
    const to = Math.max(...(checkpoints.get(p) ?? [0]).filter((c) => c <= atUs));
    if (to >= line.get(p)!) return false;
    line.set(p, to);
    return true;
  };
  for (let moved = true; moved; ) {
    moved = false;
    for (const m of messages) {
      if (m.sentUs >= line.get(m.from)! && m.receivedUs < line.get(m.to)!) moved = back(m.to, m.receivedUs) || moved; // orphan
      if (m.sentUs < line.get(m.from)! && m.receivedUs >= line.get(m.to)!) moved = back(m.from, m.sentUs) || moved; // lost in transit
    }
  }
  return { line, recoveryUs: rollback.t };
}

/** The line's shape: which processes it restores (its point is before the recovery), and how far. */
function shape(restored: number[]): 'start' | 'cascade' | 'one' | 'other' {
  if (restored.length === 6 && restored.every((v) => v === 0)) return 'start';
  if (restored.length > 2 && restored.every((v) => v > 0)) return 'cascade';
  if (restored.length === 2) return 'one';
  return 'other';
}

// Every seed is checked: the coordinator's line must equal the computed one whatever its shape. Which
// seed gives which shape depends on the phases and transfers the seed draws, so none is named: the
// test asks only that, over seeds 1–8, the rate shows the shape the domino analyses predict for it —
// rare messages (0.15/s, 0.6 per 4 s interval per process) leave some crash disturbing one survivor,
// 0.2/s stops some cascade short of the start, at 0.4/s (1.6 per interval) some reach the start.
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const cases: [string, 'one' | 'cascade' | 'start'][] = [
  ['0.15/s', 'one'],
  ['0.2/s', 'cascade'],
  ['0.4/s', 'start'],
];

for (const [rate, expected] of cases) {
  test(`the coordinator's recovery line is the latest consistent one — ${rate}, seeds 1–8, some ${expected === 'one' ? 'with one survivor disturbed' : expected === 'cascade' ? 'a cascade short of the start' : 'all six to the start'}`, (t) => {
    const shapes: string[] = [];
    for (const seed of SEEDS) {
      const { records } = run('domino-six', [`seed=${seed}`, `pipeline.operators.process.rate=${rate}`], (r) => r.k === 'send' || r.k === 'recv' || (r.k === 'ckpt' && (r.op === 'saved' || r.op === 'rollback')));
      const rollback = records.find((r) => r.k === 'ckpt' && r.op === 'rollback')!;
      const { line, recoveryUs } = recoveryLine(records);
      const targets = rollback.targets as Record<string, number>;
      const kept = new Set(rollback.kept as string[]);
      for (const [p, point] of line) {
        if (point === recoveryUs) t.true(kept.has(p), `seed ${seed}: ${p} keeps its state`);
        else t.is(targets[p], point, `seed ${seed}: ${p} goes back to ${point} µs`);
      }
      shapes.push(shape([...line.values()].filter((v) => v !== recoveryUs)));
    }
    t.log(`shapes over seeds 1–8: ${shapes.join(' ')}`);
    t.true(shapes.includes(expected), `${expected} among ${shapes.join(' ')}`);
  });
}
