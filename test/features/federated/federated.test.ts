/**
 * Federated learning end to end: FedAvg converges without faults, k-of-n beats wait-all on round
 * time when a straggler exists, a deadline ends rounds with what arrived and wastes the
 * stragglers' work, and the server's checkpoint interval and tier decide how many rounds a server
 * crash loses and what checkpointing costs.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { SECOND, TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { execute } from '../../../src/exec/run.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const FILE = 'scenarios/federated-learning.yaml';

/** Runs the gallery scenario with edits to its text and `--set`s; returns the metric, the verdict and the records. */
function run(edit: (yaml: string) => string = (y) => y, sets: readonly string[] = []) {
  const scenario = loadScenario(edit(readFileSync(FILE, 'utf8')), FILE, sets);
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((r) => records.push(r));
  const summary = execute(prepareRun(scenario, { trace }));
  return { fl: summary.metrics.federated as Record<string, number>, verdict: summary.checks['fl-converges']!, records };
}

const noFaults = (y: string) => y.replace(/^faults:[\s\S]*?^checks:/m, 'faults: []\nchecks:');
const set = (key: string, value: string) => (y: string) => y.replace(new RegExp(`^(  ${key}:).*$`, 'm'), `$1 ${value}`);
const roundRecords = (records: TraceRecord[]) => records.filter((r) => r.k === 'state' && r.op === 'round');

test('fault-free FedAvg: the loss falls every round and ends near the optimum', (t) => {
  const { fl, verdict, records } = run(noFaults);
  t.true(verdict.ok, JSON.stringify(verdict.violations));
  const losses = roundRecords(records).map((r) => r.loss as number);
  t.is(losses.length, 30);
  for (let i = 1; i < losses.length; i++) t.true(losses[i]! < losses[i - 1]!, `round ${i + 1}`);
  t.true(fl.excessLoss! >= 0 && verdict.stats.finalExcessShare! < 0.01, 'final loss within 1% of the initial excess of the optimum');
  t.is(fl.roundsLost, 0);
  t.is(fl.wastedUpdates, 0);
});

test('k-of-n finishes rounds faster than wait-all when a straggler exists', (t) => {
  const waitAll = run(noFaults);
  t.true(waitAll.records.some((r) => r.k === 'state' && r.op === 'data' && r.straggler === true), 'the seed has a straggler');
  const kOfN = run((y) => set('policy', 'k-of-n\n  k: 6')(noFaults(y)));
  const end = (r: ReturnType<typeof run>) => roundRecords(r.records).at(-1)!.t;
  t.is(roundRecords(kOfN.records).length, 30);
  t.true(end(kOfN) < end(waitAll), `k-of-n ${end(kOfN)} vs wait-all ${end(waitAll)}`);
  t.true(kOfN.fl.wastedLate! > 0, 'the straggler\'s updates arrive late');
});

test('checkpointing every round loses fewer rounds to a server crash than never checkpointing', (t) => {
  const every = run(undefined, ['federated.checkpoint.every=1 round']);
  const never = run(undefined, ['federated.checkpoint.every=never']);
  t.is(every.fl.serverRecoveries, 1);
  t.is(never.fl.serverRecoveries, 1);
  t.true(every.fl.roundsLost! < never.fl.roundsLost!, `${every.fl.roundsLost} vs ${never.fl.roundsLost}`);
  t.is(every.fl.rounds, 30);
  t.is(never.fl.rounds, 30);
  t.true(every.verdict.ok && never.verdict.ok);
});

test('deadline: a round ends at the deadline with the updates that arrived; stragglers\' updates are wasted; the model converges', (t) => {
  // Long enough that a straggler (4× the 30 s median) sometimes makes it: at 60 s the same four
  // sites are always left out and the model converges to their absence (fl-converges fails).
  const deadlineUs = 150 * SECOND;
  const { fl, verdict, records } = run(noFaults, ['federated.policy=deadline', 'federated.deadline=150s']);
  const rounds = roundRecords(records);
  const sites = (records.find((r) => r.k === 'state' && r.op === 'objective')!.sites as string[]).length;
  const partial = rounds.filter((r) => (r.participants as string[]).length < sites);
  t.is(rounds.length, 30);
  t.true(partial.length > 0, 'the straggler misses some deadlines');
  for (const r of partial) t.is(r.durationUs, deadlineUs, `round ${r.round as number} ends at its deadline`);
  for (const r of rounds) t.true((r.durationUs as number) <= deadlineUs, `round ${r.round as number} never runs past the deadline`);
  const stragglers = new Set(records.filter((r) => r.k === 'state' && r.op === 'data' && r.straggler === true).map((r) => r.a));
  const late = records.filter((r) => r.k === 'state' && r.op === 'late');
  t.true(late.length > 0);
  for (const site of stragglers) t.true(late.some((r) => r.site === site), `${site}, a straggler, misses a deadline`);
  const fromStragglers = late.filter((r) => stragglers.has(r.site as string)).length;
  t.true(fromStragglers > late.length - fromStragglers, 'most late updates are stragglers\' (a normal site is late only in the tail of its compute time)');
  t.true(fl.wastedLate! > 0 && fl.wastedComputeUs! > 0, 'their training is counted as wasted work');
  t.true(verdict.ok, JSON.stringify(verdict.violations));
});

test('checkpoint tier: a server node crash loses every round with node-local memory, few with a remote store', (t) => {
  const memory = run(undefined, ['federated.checkpoint.node-local=memory']);
  const remote = run(undefined, ['federated.checkpoint.tier=remote']);
  const restoredRound = (r: ReturnType<typeof run>) => r.records.find((x) => x.k === 'state' && x.op === 'recover')!;
  t.is(restoredRound(memory).fromCheckpoint, false, 'the RAM disk went down with the node');
  t.is(restoredRound(memory).round, 0);
  t.is(restoredRound(remote).fromCheckpoint, true);
  t.true(remote.fl.roundsLost! < memory.fl.roundsLost!, `remote ${remote.fl.roundsLost} vs memory ${memory.fl.roundsLost}`);
  t.true(remote.fl['checkpointBytes.remote']! > 0 && memory.fl['checkpointBytes.node-local']! > 0);
  t.true(remote.verdict.ok && memory.verdict.ok);
});

test('multilevel: node-local memory flushed to the remote store restores from the remote copy after the node is lost', (t) => {
  const memory = run(undefined, ['federated.checkpoint.node-local=memory']);
  const multilevel = run(undefined, ['federated.checkpoint.node-local=memory', 'federated.checkpoint.flush-to=remote', 'federated.checkpoint.flush-every=2']);
  const restore = multilevel.records.find((r) => r.k === 'ckpt' && r.op === 'restore' && r.a === 'fl-server')!;
  t.is(restore.tier, 'remote', 'the node-local copy went down with the node');
  t.true(multilevel.fl.flushes! > 0 && multilevel.fl['checkpointBytes.remote']! < multilevel.fl['checkpointBytes.node-local']!, 'only every second checkpoint crosses the WAN');
  t.true(multilevel.fl.roundsLost! < memory.fl.roundsLost!, `multilevel ${multilevel.fl.roundsLost} vs memory ${memory.fl.roundsLost}`);
});

test('checkpoint tier: a remote store across a slow WAN makes every save and the restore slower', (t) => {
  const fast = run(undefined, ['federated.checkpoint.tier=remote']);
  const slow = run(undefined, ['federated.checkpoint.tier=remote', 'links[9].bandwidth=20Mbps']);
  t.is(slow.fl.checkpoints, fast.fl.checkpoints);
  t.is(slow.fl.roundsLost, fast.fl.roundsLost);
  // 20 MiB at 20 Mb/s is ~8.4 s a save, against ~0.2 s at 1 Gb/s.
  t.true(slow.fl.checkpointUs! > 10 * fast.fl.checkpointUs!, `${slow.fl.checkpointUs} vs ${fast.fl.checkpointUs}`);
  t.true(slow.fl.restoreBlockedUs! > 10 * fast.fl.restoreBlockedUs!, `${slow.fl.restoreBlockedUs} vs ${fast.fl.restoreBlockedUs}`);
});

test('checkpointing stops once training is done: the final model is saved once, then never again', (t) => {
  for (const every of ['adaptive', '2m', '1 round']) {
    const { fl, records } = run(undefined, [`federated.checkpoint.every=${every}`]);
    const server = records.filter((r) => r.a === 'fl-server');
    const done = server.find((r) => r.k === 'state' && r.op === 'done')!;
    const after = server.filter((r) => r.k === 'ckpt' && r.t > done.t);
    const saved = after.filter((r) => r.op === 'saved');
    t.is(fl.rounds, 30, every);
    t.true(saved.length <= 1, `${every}: ${saved.length} checkpoints saved after the last round`);
    if (every === '1 round') continue;
    // On a clock the next due checkpoint after the last round holds the final model.
    t.is(saved.length, 1, every);
    t.is(after.find((r) => r.op === 'snapshot' && r.id === saved[0]!.id)!.generated, 30, `${every}: the saved image is the model after round 30`);
    t.false(after.some((r) => r.t > saved[0]!.t), `${every}: nothing is checkpointed after the final model`);
  }
});

test('a site whose node dies before its dataset\'s fsync completes draws a new one (redraw); a later crash restarts it with the same data', (t) => {
  // field-1-1's fsync of the dataset at 0 completes 21 µs later: a power loss at 10 µs takes it.
  const site = (r: ReturnType<typeof run>) => r.records.filter((x) => x.a === 'fl-field-1');
  const datasets = (r: ReturnType<typeof run>) => site(r).filter((x) => x.k === 'state' && x.op === 'data').map((x) => ({ samples: x.samples, centre: x.centre }));
  const early = run(undefined, ['faults[0].at=10us']);
  t.true(site(early).some((x) => x.k === 'disk' && x.op === 'lost' && x.file === 'fl-data' && x.t === 10));
  const restart = site(early).find((x) => x.k === 'restart')!;
  t.deepEqual(site(early).filter((x) => x.k === 'state' && x.op === 'redraw').map((x) => x.t), [restart.t]);
  const [before, after] = datasets(early);
  t.is(datasets(early).length, 2);
  t.notDeepEqual(after, before, 'a new dataset, as a site that lost its data re-collects it');
  t.true(early.verdict.ok, JSON.stringify(early.verdict.violations));

  const later = run();
  t.true(site(later).some((x) => x.k === 'restart'), 'the shipped crash at 20 min');
  t.false(site(later).some((x) => x.k === 'state' && x.op === 'redraw'));
  t.deepEqual(datasets(later), [before], 'the dataset read back from disk, never drawn again');
});

test('the server\'s checkpointing is deterministic: the same seed gives the same trace', (t) => {
  const hash = () => {
    const scenario = loadScenario(readFileSync(FILE, 'utf8'), FILE, ['federated.checkpoint.tier=remote', 'federated.checkpoint.every=adaptive']);
    return execute(prepareRun(scenario, { trace: new TraceWriter() })).traceHash;
  };
  t.is(hash(), hash());
});
