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

// Which seed and rate give which shape depends on the transfers the seed draws (session 22: the
// seed enters them); these three were found by a scan of seeds 1–8 at 0.15–0.4/s.
const cases: [string, string[], string][] = [
  ['seed 3, 0.2/s: a cascade short of the start', ['pipeline.operators.process.rate=0.2/s'], 'cascade'],
  ['seed 3, 0.4/s: all six to the start', [], 'start'],
  ['seed 3, 0.15/s: one survivor disturbed', ['pipeline.operators.process.rate=0.15/s'], 'one'],
];

for (const [title, sets, shape] of cases) {
  test(`the coordinator's recovery line is the latest consistent one — ${title}`, (t) => {
    const { records } = run('domino-six', sets, (r) => r.k === 'send' || r.k === 'recv' || (r.k === 'ckpt' && (r.op === 'saved' || r.op === 'rollback')));
    const rollback = records.find((r) => r.k === 'ckpt' && r.op === 'rollback')!;
    const { line, recoveryUs } = recoveryLine(records);
    const targets = rollback.targets as Record<string, number>;
    const kept = new Set(rollback.kept as string[]);
    for (const [p, point] of line) {
      if (point === recoveryUs) t.true(kept.has(p), `${p} keeps its state`);
      else t.is(targets[p], point, `${p} goes back to ${point} µs`);
    }
    const restored = [...line.values()].filter((v) => v !== recoveryUs);
    if (shape === 'cascade') t.true(restored.length > 2 && restored.every((v) => v > 0), `${restored.length} restored, none to the start`);
    if (shape === 'start') t.deepEqual(restored, [0, 0, 0, 0, 0, 0]);
    if (shape === 'one') t.is(restored.length, 2);
  });
}
