/**
 * The log's safety property: with acks=all, min.insync.replicas=2, replication factor 3, clean
 * elections, leader-epoch truncation and an fsync on every write, no acknowledged event is lost,
 * replicas never disagree below their high watermarks, nothing is stored twice and the final read
 * sees every partition in order — whatever random power losses, process crashes (brokers and the
 * controller) and network partitions strike, across 200 seeds. Lost availability is allowed: writes
 * may be refused or time out.
 *
 * And the property is not vacuous: the same faults with `flush: never` lose acknowledged events on
 * some seeds.
 */
import test from 'ava';
import { SECOND, logWorld, topic } from './_harness.ts';
import { randomFaults } from './_random-faults.ts';

const SEEDS = 200;
const SAFETY_US = 4 * SECOND;

function runSeed(seed: number, flush: 'every-write' | 'never') {
  const run = logWorld({ seed, topics: [topic('t', 2)], flush: { kind: flush } });
  run.producer('p', { stopAtUs: SAFETY_US, ratePerSec: 200 });
  const plan = randomFaults(run, seed, SAFETY_US, 8);
  const { verdicts } = run.go(12 * SECOND);
  return { verdicts, plan };
}

test(`acks=all, min.insync.replicas=2, RF 3, fsync on: no loss and no divergence across ${SEEDS} seeds of random faults`, (t) => {
  let acked = 0;
  let faults = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { verdicts, plan } = runSeed(seed, 'every-write');
    const failed = Object.entries(verdicts).filter(([, v]) => !v.ok);
    if (failed.length > 0) {
      const [name, verdict] = failed[0]!;
      t.fail(`seed ${seed}: ${name}: ${verdict.violations[0]?.message}\nfaults:\n  ${plan.description.join('\n  ')}`);
      return;
    }
    acked += verdicts['no-acked-loss']!.stats.acked!;
    faults += plan.description.length;
  }
  t.true(acked > SEEDS * 400, `the workload was acknowledged (${acked} events)`);
  t.true(faults > SEEDS * 6, `faults were injected (${faults})`);
});

test('the same random faults with flush: never do lose acknowledged events', (t) => {
  let losing = 0;
  for (let seed = 1; seed <= 20; seed++) if (!runSeed(seed, 'never').verdicts['no-acked-loss']!.ok) losing++;
  t.true(losing > 0, 'power losses of unflushed replicas cost acknowledged events on some seed');
});
