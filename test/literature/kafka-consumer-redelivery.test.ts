/**
 * A Kafka consumer with auto-commit is at least once (the consumer documentation: after a crash the
 * next consumer resumes from the committed offset): `scenarios/literature/kafka-consumer-redelivery.yaml`
 * crashes the consumer 2.5 s after its last commit, and what it read since is read again —
 * rate × (crash − last commit). The slack is the consumer's lag behind the log end at the commit
 * and at the crash (a fetch round trip over a 2 ms link: a few events at 500/s), taken as 10.
 */
import test from 'ava';
import { run } from './literature-run.ts';

function redelivered(sets: string[] = []): { redelivered: number; lost: number; skips: number } {
  const { summary } = run('kafka-consumer-redelivery', sets);
  return { redelivered: summary.checks['duplicate']!.stats.redelivered!, lost: summary.checks['no-acked-loss']!.stats.lost!, skips: summary.checks['skip']!.stats.skips! };
}

test('commits every 4 s, crash at 10.5 s: the 2.5 s since the 8 s commit are read again, nothing lost', (t) => {
  const r = redelivered();
  t.true(Math.abs(r.redelivered - 500 * 2.5) <= 10, `${r.redelivered} redelivered, mechanism 1250`);
  t.is(r.lost, 0);
  t.is(r.skips, 0);
});

test('commits every 1 s: only the 0.5 s since the 10 s commit are read again', (t) => {
  const r = redelivered(['consumers.reader["auto.commit.interval.ms"]=1s']);
  t.true(Math.abs(r.redelivered - 500 * 0.5) <= 10, `${r.redelivered} redelivered, mechanism 250`);
});
