/**
 * The Raft drills behave as their headers say: each unsafe knob breaks the guarantee its header
 * names, with the checker citing the records that prove it, and the same faults pass without it.
 */
import test from 'ava';
import { TraceWriter } from '../../../src/kernel/index.ts';
import { execute } from '../../../src/exec/run.ts';
import { loadScenarioFile, prepareRun } from '../../../src/scenario/index.ts';

const run = (file: string, sets: string[] = []) => execute(prepareRun(loadScenarioFile(`scenarios/drills/${file}`, sets), { trace: new TraceWriter() }));
const anomalies = (verdict: { violations: { anomaly: string }[] }) => new Set(verdict.violations.map((v) => v.anomaly));

test('Figure 8: a leader committing an earlier term by count lets a committed entry be overwritten; Raft\'s rule keeps it', (t) => {
  const unsafe = run('raft-figure-8.yaml');
  t.false(unsafe.ok);
  const completeness = unsafe.checks['leader-completeness']!;
  t.false(completeness.ok);
  t.true(anomalies(completeness).has('committed-truncated'), JSON.stringify(completeness.violations));
  t.true(anomalies(completeness).has('leader-missing-committed'));
  const truncated = completeness.violations.find((v) => v.anomaly === 'committed-truncated')!;
  t.regex(truncated.message, /removing entry \d+ \(term \d+\), committed at/);
  t.is(truncated.cites.length, 2, 'the commit and the truncation');
  t.true(truncated.cites[0]!.t < truncated.cites[1]!.t);
  t.true(anomalies(unsafe.checks['state-machine-safety']!).has('divergent-apply'));
  t.true(unsafe.checks['election-safety']!.ok && unsafe.checks['log-matching']!.ok);

  const safe = run('raft-figure-8.yaml', ['raft.unsafe.commit-previous-term-by-count=false']);
  t.true(safe.ok, JSON.stringify(safe.checks));
});

test('votes not made durable: a power loss makes a voter vote twice in a term and two leaders follow; fsynced votes hold', (t) => {
  const unsafe = run('raft-vote-fsync.yaml');
  const election = unsafe.checks['election-safety']!;
  t.false(election.ok);
  t.deepEqual(anomalies(election), new Set(['double-vote', 'two-leaders']));
  t.regex(election.violations.find((v) => v.anomaly === 'double-vote')!.message, /raft-z-1 voted for raft-\S+ in term 1 at \S+, having voted for raft-\S+ in that term/);

  for (const seed of [1, 2, 3, 4, 5]) {
    const safe = run('raft-vote-fsync.yaml', ['raft.unsafe.skip-vote-fsync=false', `seed=${seed}`]);
    t.true(safe.ok, `seed ${seed}: ${JSON.stringify(safe.checks)}`);
  }
});

test('the nemesis drill: 100 seeds of crashes, power loss, partitions, packet loss and clock skew, no Raft violation', (t) => {
  // A shortened run per seed (the full drill sweeps with bench/raft-nemesis.ts).
  const failures: string[] = [];
  let elections = 0;
  for (let seed = 1; seed <= 100; seed++) {
    const summary = run('raft-nemesis.yaml', [`seed=${seed}`, 'duration=12s', 'quiesce=8s', 'nemesis.quiet=1s']);
    elections += (summary.metrics.raft as { elections: number }).elections;
    for (const [name, verdict] of Object.entries(summary.checks)) if (!verdict.ok) failures.push(`seed ${seed} ${name}: ${verdict.violations[0]?.message}`);
  }
  t.deepEqual(failures, []);
  t.true(elections > 150, `the nemesis forced re-elections (${elections})`);
});
