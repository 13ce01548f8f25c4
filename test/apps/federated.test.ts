/**
 * Federated learning end to end: FedAvg converges without faults, k-of-n beats wait-all on round
 * time when a straggler exists, and the server's checkpoint interval decides how many rounds a
 * server crash loses.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { TraceWriter, type TraceRecord } from '../../src/kernel/index.ts';
import { execute } from '../../src/exec/run.ts';
import { loadScenario, prepareRun } from '../../src/scenario/index.ts';

const FILE = 'scenarios/federated-learning.yaml';

/** Runs the gallery scenario with edits to its text; returns the metric, the verdict and the records. */
function run(edit: (yaml: string) => string = (y) => y) {
  const scenario = loadScenario(edit(readFileSync(FILE, 'utf8')), FILE);
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
  const every = run(set('checkpoint-every', '1'));
  const never = run(set('checkpoint-every', '0'));
  t.is(every.fl.serverRecoveries, 1);
  t.is(never.fl.serverRecoveries, 1);
  t.true(every.fl.roundsLost! < never.fl.roundsLost!, `${every.fl.roundsLost} vs ${never.fl.roundsLost}`);
  t.is(every.fl.rounds, 30);
  t.is(never.fl.rounds, 30);
  t.true(every.verdict.ok && never.verdict.ok);
});
