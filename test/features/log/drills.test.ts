/**
 * The log's drills (`scenarios/drills/log-*.yaml`): each loses acknowledged events (or stores them
 * twice) for the reason its header explains, and the `--set` that removes the cause removes the
 * loss. Runs through `prepareRun` + `execute`, as `diaspora run` does; two drills also go through
 * the CLI for its exit codes.
 */
import test from 'ava';
import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execute, type RunSummary } from '../../../src/exec/run.ts';
import { MS, SECOND, TraceWriter } from '../../../src/kernel/index.ts';
import { loadScenario, loadScenarioFile, prepareRun } from '../../../src/scenario/index.ts';
import { diaspora, ROOT } from '../../cli/cli.ts';

const drill = (name: string) => join(ROOT, 'scenarios/drills', `${name}.yaml`);

function run(name: string, sets: string[] = []): RunSummary {
  const scenario = loadScenarioFile(drill(name), sets);
  return execute(prepareRun(scenario, { trace: new TraceWriter() }));
}

function lost(summary: RunSummary): { count: number; from: number; to: number } {
  const verdict = summary.checks['no-acked-loss']!;
  // A lost-events violation cites its first and last acks, maybe a disk loss, then the final read.
  const times = verdict.violations.filter((v) => v.anomaly === 'lost').flatMap((v) => v.cites.slice(0, -1).filter((c) => c.k === 'client').map((c) => c.t));
  return { count: verdict.stats.lost!, from: Math.min(...times), to: Math.max(...times) };
}

test('acks=1: the leader dies before its followers fetch; what it acknowledged since they stopped is lost', (t) => {
  const loss = lost(run('log-acks1-leader-crash'));
  // Followers cut off at 8 s, leader crash at 10 s, 1000 events/s: two seconds of events.
  t.true(loss.count >= 1900 && loss.count <= 2100, `${loss.count} lost`);
  t.true(loss.from >= 8 * SECOND && loss.to <= 10.01 * SECOND, `acknowledged ${loss.from} to ${loss.to}`);
  const fixed = run('log-acks1-leader-crash', ['workload.detector.acks=all']);
  t.true(fixed.ok, JSON.stringify(fixed.checks['no-acked-loss']!.violations[0]));
});

test('acks=1: a leader bounced within its session is fenced by its new incarnation and loses its unreplicated tail; acks=all loses nothing', (t) => {
  const bounce = 'faults[1].for=300ms';
  const summary = run('log-acks1-leader-crash', [bounce]);
  const loss = lost(summary);
  t.true(loss.count >= 1900 && loss.count <= 2100, `${loss.count} lost`);
  t.true(loss.from >= 8 * SECOND && loss.to <= 10.01 * SECOND, `acknowledged ${loss.from} to ${loss.to}`);
  t.true(run('log-acks1-leader-crash', [bounce, 'workload.detector.acks=all']).ok);
});

test('KIP-966: the last ISR member loses power; without eligible leader replicas its empty log wins, with them a follower from the ELR is elected', (t) => {
  const summary = run('log-kip966-eligible-leader-replicas');
  const loss = lost(summary);
  // 500 events/s acknowledged until the ISR shrank (5 s + 1 s lag), refused after; the leader fsynced none.
  t.true(loss.count >= 2400 && loss.count <= 2600, `${loss.count} lost`);
  t.true(loss.to < 6 * SECOND);
  const elr = run('log-kip966-eligible-leader-replicas', ['services.stream["eligible.leader.replicas.enable"]=true']);
  t.true(elr.ok, JSON.stringify(elr.checks['no-acked-loss']!.violations[0]));
  t.is((elr.metrics['log']!.elections as { unclean: number }).unclean, 0);
  t.true(elr.checks['no-acked-loss']!.stats.acked! > summary.checks['no-acked-loss']!.stats.acked!, 'and the partition came back sooner');
});

test('acks=all with min.insync.replicas=1: the ISR shrinks to the leader, which then loses power', (t) => {
  const summary = run('log-min-isr-1');
  const loss = lost(summary);
  // The last fsync before the 9.5 s power loss was at 9 s: half a second of 1000 events/s.
  t.true(loss.count >= 450 && loss.count <= 550, `${loss.count} lost`);
  t.true(loss.from >= 9 * SECOND);
  const fixed = run('log-min-isr-1', ['services.stream["min.insync.replicas"]=2']);
  t.true(fixed.ok);
  const rejected = (fixed.metrics['log']!.rejectedWrites as { atLeader: number }).atLeader;
  t.true(rejected > 0, 'the leader refused writes with NotEnoughReplicas instead');
});

test('unclean leader election: a replica 6 s behind is elected and the others truncate to it', (t) => {
  const summary = run('log-unclean-election');
  const loss = lost(summary);
  t.true(loss.count >= 2500 && loss.count <= 3100, `${loss.count} lost`);
  // Acknowledged from the cut to the power loss; an ack is recorded as it arrives, up to the 500 µs link later.
  t.true(loss.from >= 4 * SECOND && loss.to <= 10 * SECOND + 500, `acknowledged ${loss.from} to ${loss.to} µs`);
  t.is((summary.metrics['log']!.elections as { unclean: number }).unclean, 1);
  const fixed = run('log-unclean-election', ['services.stream["unclean.leader.election.enable"]=false']);
  t.true(fixed.ok);
  t.true((fixed.metrics['log']!.elections as { offline: number }).offline > 0, 'the partition went offline instead');
});

test('KIP-101: truncating to the high watermark on restart loses acknowledged events, and replicas diverge', (t) => {
  const summary = run('log-kip101-truncate-to-hw');
  const loss = lost(summary);
  // Broker 2's checkpoint is from 10 s; the leader dies at 12.5 s with everything up to 12 s acknowledged.
  t.true(loss.count >= 900 && loss.count <= 1100, `${loss.count} lost`);
  t.true(loss.from >= 9.9 * SECOND && loss.to <= 12.1 * SECOND);
  t.false(summary.checks['divergence']!.ok, 'offsets below the high watermark now hold other events');
  t.true(run('log-kip101-truncate-to-hw', ['services.stream.truncation=leader-epoch']).ok);
});

test('KIP-966 class: flush never, the ISR shrank to one, the whole site loses power: everything acknowledged before is lost', (t) => {
  const summary = run('log-kip966-site-power-loss');
  const verdict = summary.checks['no-acked-loss']!;
  const loss = lost(summary);
  // 500 events/s acknowledged until the ISR shrank (5 s + 1 s lag), refused after; none fsynced.
  t.true(loss.count >= 2400 && loss.count <= 2600, `${loss.count} lost`);
  t.true(loss.to < 6 * SECOND, 'every event acknowledged before the shrink');
  t.regex(verdict.violations[0]!.message, /lost unsynced data at 9s/);
  t.true(verdict.stats.acked! > loss.count, 'writes acknowledged after the site came back are kept');
  t.true(run('log-kip966-site-power-loss', ['services.stream.flush=every-write']).ok);
});

test('Mofka-like mode: RF 1, flush per batch; acknowledging before the flush loses the last batches', (t) => {
  const loss = lost(run('log-mofka-ack-before-flush'));
  t.true(loss.count > 0 && loss.count < 400, `${loss.count} lost: only what the fsync in flight would have covered`);
  // The fsync in flight at 8 s and the writes after it: each fsync of the backlog takes ≈ 64 ms on this HDD.
  t.true(loss.from >= 8 * SECOND - 2 * 64 * MS && loss.to <= 8 * SECOND, `acknowledged ${loss.from} to ${loss.to} µs`);
  t.true(run('log-mofka-ack-before-flush', ['services.events["ack.before.flush"]=false']).ok);
});

test('retries over a lossy link: idempotence stores each event once; without it, duplicates are counted', (t) => {
  const idempotent = run('log-idempotent-retries');
  t.true(idempotent.ok, JSON.stringify(Object.values(idempotent.checks).find((v) => !v.ok)?.violations[0]));
  t.true((idempotent.metrics['produce']!.retries as number) > 100, 'the link really made the producer retry');
  const plain = run('log-idempotent-retries', ['workload.detector["enable.idempotence"]=false']);
  const duplicate = plain.checks['duplicate']!;
  t.false(duplicate.ok);
  t.true(duplicate.stats.duplicates! > 10, `${duplicate.stats.duplicates} duplicates`);
  t.true(plain.checks['no-acked-loss']!.ok, 'duplicates, but nothing lost');
});

test('diaspora run: a drill that loses data exits 1, its fixed variant 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-drill-'));
  const failing = await diaspora(['run', drill('log-unclean-election'), '--out', join(dir, 'a'), '--quiet']);
  t.is(failing.code, 1, failing.stderr);
  const passing = await diaspora(['run', drill('log-unclean-election'), '--set', 'services.stream["unclean.leader.election.enable"]=false', '--out', join(dir, 'b'), '--quiet']);
  t.is(passing.code, 0, passing.stdout + passing.stderr);
});

test('diaspora run: a producer Kafka would refuse (enable.idempotence: true with acks=1) is an input error, exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-drill-'));
  const refused = await diaspora(['run', drill('log-acks1-leader-crash'), '--set', 'workload.detector["enable.idempotence"]=true', '--out', join(dir, 'c'), '--quiet']);
  t.is(refused.code, 2, refused.stdout + refused.stderr);
  t.regex(refused.stderr, /workload\.detector\["enable\.idempotence"\]: enable\.idempotence: true needs acks: all, but acks is 1/);
});

test('min.insync.replicas defaults to 1, as in Kafka: the min-isr-1 drill loses the same events without its line', (t) => {
  const text = readFileSync(drill('log-min-isr-1'), 'utf8');
  const line = /^ {4}min\.insync\.replicas: 1\n/m;
  t.regex(text, line);
  const summary = execute(prepareRun(loadScenario(text.replace(line, ''), 'log-min-isr-1.yaml'), { trace: new TraceWriter() }));
  const loss = lost(summary);
  t.true(loss.count >= 450 && loss.count <= 550, `${loss.count} lost with the default`);
});
