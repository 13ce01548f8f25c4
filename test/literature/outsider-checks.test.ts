/**
 * Outsider checks (session 20): scenarios written from the papers' and Kafka's documented numbers
 * with parameters none of the other literature files use — Daly with δ = M/2, KIP-966 at RF 5,
 * flush never under a site power loss (Linux writeback), Chandy–Lamport over three unequal WAN
 * links, the domino effect on four fully connected processes, an overloaded Rubin alert broker.
 * Each expected figure is derived in the scenario's header from the model, not from a run; each
 * tolerance is argued here (a sample's standard error, or the mechanism's edge effects).
 */
import test from 'ava';
import type { RunSummary } from '../../src/exec/run.ts';
import { SECOND } from '../../src/kernel/index.ts';
import { lost, run } from './literature-run.ts';

/** Daly 2006: waste 1 − T_s/T_w of compute interval τ, cost δ, MTBF M, restart R (seconds). */
function dalyWaste(tau: number, delta: number, m: number, r: number): number {
  return 1 - tau / (m * Math.exp(r / m) * (Math.exp((tau + delta) / m) - 1));
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

test('Daly with δ = M/2 (M = 2 min, δ = 60 s, R ≈ 65 s): waste at τ_opt = 83 s within three standard errors of 0.824, and 30 s worse', (t) => {
  const seeds = [1, 2, 3, 4, 5, 6];
  const waste = (interval: string) => seeds.map((seed) => (run('daly-half-mtbf', [`seed=${seed}`, `checkpoint.interval=${interval}`]).summary.metrics.job as { wasteFraction: number }).wasteFraction);
  const atOpt = waste('83s');
  const expected = dalyWaste(83.3, 60, 120, 65);
  t.is(Math.round(expected * 1000), 824);
  // Each seed's waste is one job of ≈ 80 failures; its spread is measured on the same seeds, and
  // three standard errors of a six-seed mean bound the model's figure (no fitted constant).
  const se = sd(atOpt) / Math.sqrt(seeds.length);
  t.true(se < 0.03, `standard error ${se}`);
  t.true(Math.abs(mean(atOpt) - expected) <= 3 * se, `waste ${mean(atOpt)} ± ${se}, Daly ${expected}`);
  // Too often: Daly's 0.870 at 30 s, 0.046 above the optimum. The same seeds see the same
  // failures (common random numbers), so the paired difference is the model's sign.
  const tooOften = waste('30s');
  const diffs = tooOften.map((w, i) => w - atOpt[i]!);
  t.true(mean(diffs) > 3 * (sd(diffs) / Math.sqrt(seeds.length)), `30 s minus 83 s: ${diffs.join(', ')}`);
});

test('KIP-966, RF 5, min ISR 3, flush never: the lone leader and an ELR member lose power; an ELR member leads and nothing is lost', (t) => {
  const { summary, records } = run('kafka-kip966-rf5', [], (r) => r.k === 'log' && r.op === 'elect');
  t.true(summary.checks['no-acked-loss']!.ok, JSON.stringify(summary.checks['no-acked-loss']!.violations[0]));
  // The leader the power loss leaves is one that kept its page cache: dc-3, dc-4 or dc-5, from the
  // ELR. (dc-1 and dc-2 are fenced at the same instant, so dc-2 may hold office for the moment
  // between the two fences.)
  const after = records.filter((r) => r.t >= 8 * SECOND);
  t.true(after.length > 0 && /stream-broker-[345]/.test(String(after.at(-1)!.leader)), JSON.stringify(after));
  t.true(after.every((r) => r.clean === true), 'no unclean election: the ELR members were eligible');
  // Without ELR the last ISR member, empty after its power loss, is re-elected: everything
  // acknowledged before the cut is lost, 400/s × 4 s, less the ≤ 2 requests in flight at the cut
  // (a 2 ms round trip) that were never acknowledged.
  const loss = lost(run('kafka-kip966-rf5', ['services.stream["eligible.leader.replicas.enable"]=false']).summary);
  t.true(loss.count <= 400 * 4 && loss.count >= 400 * 4 - 4, `${loss.count} lost`);
  t.true(loss.to <= 4 * SECOND, `last lost acknowledged at ${loss.to} µs`);
});

test('flush never, RF 3, acks=all: a site power loss at 90 s takes what Linux had not written back since 65 s', (t) => {
  const { summary, records } = run('kafka-flush-never-writeback', [], (r) => r.k === 'disk' && r.op === 'writeback' && (r.files as string[]).some((f) => f.endsWith('.log')));
  // Linux: dirty_expire 30 s, flusher every 5 s: the segment is written back at 30 s and 65 s.
  t.deepEqual([...new Set(records.filter((r) => r.t < 90 * SECOND).map((r) => Math.floor(r.t / SECOND)))], [30, 65]);
  const loss = lost(summary);
  // 200/s × (90 − 65) s; ± 2 for the appends within the writeback's instant and acks in flight at the loss.
  t.true(Math.abs(loss.count - 200 * 25) <= 2, `${loss.count} lost`);
  t.true(loss.from >= 65 * SECOND && loss.to <= 90 * SECOND, `acknowledged ${loss.from} to ${loss.to} µs`);
  t.true(run('kafka-flush-never-writeback', ['services.stream.flush=every-write']).summary.checks['no-acked-loss']!.ok);
});

test('Chandy–Lamport over three unequal WAN links: every cut holds 8 × 500, with money recorded in the channels', (t) => {
  const { summary, records } = run('chandy-lamport-three-sites', [], (r) => r.k === 'ckpt');
  t.true(summary.ok, JSON.stringify(summary.checks));
  const complete = new Set(records.filter((r) => r.op === 'complete').map((r) => r.id as number));
  const totals = new Map<number, number>();
  const channels = new Map<number, number>();
  for (const r of records) {
    if (r.op !== 'snapshot' || !complete.has(r.cut as number)) continue;
    totals.set(r.cut as number, (totals.get(r.cut as number) ?? 0) + (r.conserved as number));
    channels.set(r.cut as number, (channels.get(r.cut as number) ?? 0) + (r.inFlight as number));
  }
  // A cut every ≈ 0.8 s over 45 s, less the one the power loss aborted.
  t.true(totals.size >= 40, `${totals.size} cuts`);
  t.deepEqual([...new Set(totals.values())], [8 * 500]);
  // While transfers run (to 30 s, ≈ 37 cuts) every cut needed its channel state: not vacuous.
  t.true([...channels.values()].filter((x) => x > 0).length >= 30, `${[...channels.values()]}`);
});

test('domino effect, four fully connected processes: all four back to the start; a persistent stream restores the crashed one alone', (t) => {
  const recovery = (summary: RunSummary) => summary.metrics.recovery as Record<string, number>;
  const uncoordinated = run('domino-four').summary;
  t.true(uncoordinated.ok, JSON.stringify(uncoordinated.checks));
  t.is(recovery(uncoordinated).rolledBackToStart, 4);
  // Everything done before the crash is redone: 25 s × 4 processes × (3 sent + 3 received) a second, ± 10%.
  t.true(Math.abs(recovery(uncoordinated).lostWorkEvents - 25 * 4 * 6) <= 60, `${recovery(uncoordinated).lostWorkEvents}`);
  const replay = recovery(run('domino-four', ['checkpoint.strategy=stream-replay']).summary);
  t.is(replay.restores, 1);
  t.is(replay.rolledBackToStart, 0);
  // Its own last interval at most: 4 s × (3 sent + 3 received) a second.
  t.true(replay.lostWorkEvents <= 24, `${replay.lostWorkEvents}`);
  t.true(recovery(uncoordinated).lostWorkEvents > 10 * replay.lostWorkEvents);
});

test('an overloaded Rubin broker (50 s of work per 30 s visit): the share within OTT1 and the last alert follow the FIFO queue', (t) => {
  const alerts = run('alerts-overload').summary.metrics.alerts as { visits: number; within60sShare: number; latencyUs: { max: number } };
  t.is(alerts.visits, 3);
  // Between whole steps (0.70) and the fluid queue (0.733): see the header.
  t.true(alerts.within60sShare >= 0.7 && alerts.within60sShare <= 22_000 / 30_000, `${alerts.within60sShare}`);
  // The last alert: 40 s of backlog + 50 s of work, plus the first alert's ≈ 0.2 s and one step (2.5 s) at most.
  t.true(alerts.latencyUs.max >= 90 * SECOND && alerts.latencyUs.max <= 92.7 * SECOND, `${alerts.latencyUs.max}`);
});
