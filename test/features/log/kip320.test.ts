/**
 * Unclean leader election and KIP-320, as a researcher would set it up from Kafka's documentation
 * (Kafka's defaults otherwise: replica.lag.time.max.ms 30 s, flush never, request.timeout.ms 30 s).
 * The follower k3 is cut off at 5 s, holding offsets 0–499 (100/s); with acks=all the producer's
 * writes wait until k3 leaves the ISR (30 s later), then k1 and k2 acknowledge the backlog; at 40 s
 * both their brokers' processes crash and k3 is elected uncleanly. Theory: exactly the acknowledged
 * records at offsets ≥ 500 are lost (3,500 = 4,000 produced by 40 s − 500), and nothing is lost with
 * unclean election off. A consumer that had read up to offset 4,000 detects the truncation (KIP-320:
 * OffsetsForLeaderEpoch to the new leader), moves back to 500 and reads the new leader's records from
 * there — no skip, no offset read twice in the new log, which the position checkers confirm.
 */
import test from 'ava';
import { execute } from '../../../src/exec/run.ts';
import { TraceWriter, type TraceRecord } from '../../../src/kernel/index.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const SCENARIO = `
name: unclean-kip320
seed: 1
duration: 50s
quiesce: 3m
sites:
  lab: { role: instrument, nodes: 1 }
  dc: { role: hpc, nodes: [k1, k2, k3, kc, c1] }
links:
  - { between: [lab, dc], latency: 1ms }
services:
  kafka:
    kind: log
    nodes: [k1, k2, k3]
    controller: kc
    replication.factor: 3
    min.insync.replicas: 2
    unclean.leader.election.enable: true
    topics:
      t: { partitions: 1 }
workload:
  app: { node: lab-1, service: kafka, topic: t, rate: 100/s, size: 1KiB, acks: all }
consumers:
  reader: { node: c1, service: kafka, topic: t }
faults:
  - { kind: partition, from: [k3], to: [k1, k2], at: 5s, for: 35s }
  - { kind: process-crash, target: [kafka-broker-1, kafka-broker-2], at: 40s }
checks: [no-acked-loss, nonmonotonic, skip, unobserved]
`;

function run(sets: string[] = []) {
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((r) => {
    if (r.k === 'client' && (r.op === 'truncation-detected' || r.op === 'ack')) records.push(r);
  });
  const summary = execute(prepareRun(loadScenario(SCENARIO, 'unclean-kip320.yaml', sets), { trace }));
  return { summary, records };
}

test('unclean election loses exactly the acknowledged records above the new leader\'s log end; the consumer detects the truncation (KIP-320)', (t) => {
  const { summary, records } = run();
  const lost = summary.checks['no-acked-loss']!;
  t.false(lost.ok);
  t.is(lost.stats['lost'], 3500);
  const lostIds = lost.violations.flatMap((v) => v.events ?? []).sort();
  // Exactly the records acknowledged before the crash at offsets ≥ 500 of the old leader's log.
  const expected = records
    .filter((r) => r.op === 'ack' && typeof r.offset === 'number' && r.t < 40_000_000)
    .flatMap((r) => (r.events as string[]).filter((_, i) => (r.offset as number) + i >= 500))
    .sort();
  t.is(expected.length, 3500);
  t.deepEqual(lostIds, expected);
  const truncations = records.filter((r) => r.op === 'truncation-detected');
  t.is(truncations.length, 1);
  t.like(truncations[0], { a: 'reader', partition: 0, from: 500, to: 4000 });
  for (const check of ['nonmonotonic', 'skip', 'unobserved']) t.true(summary.checks[check]!.ok, check);
});

test('with unclean.leader.election.enable false (Kafka\'s default) nothing acknowledged is lost', (t) => {
  const { summary, records } = run(['services.kafka["unclean.leader.election.enable"]=false']);
  t.true(summary.ok, JSON.stringify(Object.entries(summary.checks).filter(([, v]) => !v.ok).map(([n]) => n)));
  t.is(records.filter((r) => r.op === 'truncation-detected').length, 0);
});

test('KIP-320 on committed offsets: a member resuming from an offset committed before the unclean election validates its epoch and re-reads from the new log end, skipping none of the new records', (t) => {
  // The reader commits offset 4,000 (epoch 0) at 40 s, crashes at 46 s and comes back at 90 s; by
  // then the new leader's log, truncated to 500, has grown past 4,000 with new records. Fetching
  // from 4,000 would succeed and silently skip the new records at 500–3,999.
  const trace = new TraceWriter();
  const records: TraceRecord[] = [];
  trace.listen((r) => {
    if (r.k === 'client' && r.a === 'reader' && (r.op === 'truncation-detected' || r.op === 'consume' || r.op === 'commit')) records.push(r);
  });
  const sets = ['duration=100s', 'faults=[{kind: partition, from: [k3], to: [k1, k2], at: 5s, for: 35s}, {kind: process-crash, target: [kafka-broker-1, kafka-broker-2], at: 40s}, {kind: process-crash, target: reader, at: 46s, for: 44s}]'];
  const summary = execute(prepareRun(loadScenario(SCENARIO, 'unclean-kip320-committed.yaml', sets), { trace }));
  const committedBefore = records.filter((r) => r.op === 'commit' && r.t < 46_000_000).at(-1);
  t.like(committedBefore, { offset: 4000 });
  const truncations = records.filter((r) => r.op === 'truncation-detected');
  t.is(truncations.length, 1);
  t.like(truncations[0], { partition: 0, from: 500, to: 4000, committed: true });
  const firstAfter = records.find((r) => r.op === 'consume' && r.t > 90_000_000);
  t.like(firstAfter, { offset: 500 });
  for (const check of ['nonmonotonic', 'skip', 'unobserved']) t.true(summary.checks[check]!.ok, `${check}: ${JSON.stringify(summary.checks[check]!.stats)}`);
});
