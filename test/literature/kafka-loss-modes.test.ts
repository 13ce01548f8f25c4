/**
 * Kafka's ways to lose acknowledged data, checked the way a reader of Kafka's documentation and KIPs
 * would check them: scenarios written apart from the drills (other replication factors, partition
 * counts, rates, timings; `scenarios/literature/kafka-*.yaml`), and the number lost compared with
 * what the mechanism implies for those settings — the rate times the window in which only the
 * doomed replica held what was acknowledged. Each header derives its number.
 */
import test from 'ava';
import { SECOND } from '../../src/kernel/index.ts';
import { lost, run } from './literature-run.ts';

const within = (value: number, expected: number, slack: number) => Math.abs(value - expected) <= slack;

test('acks=1, RF 5, 4 partitions: the cut-off leader of one partition loses (rate / partitions) × (crash − cut)', (t) => {
  const loss = lost(run('kafka-acks1-rf5').summary);
  const expected = (200 / 4) * (5 - 3);
  t.true(within(loss.count, expected, 16), `${loss.count} lost, mechanism ${expected} (± one sticky batch)`);
  t.true(loss.from >= 3 * SECOND && loss.to <= 5 * SECOND, `acknowledged ${loss.from} to ${loss.to} µs`);
});

test('min.insync.replicas=1 with flush every 2 s: the lone leader loses rate × (crash − last fsync)', (t) => {
  const { summary } = run('kafka-min-isr1-flush');
  const loss = lost(summary);
  const expected = 300 * (7.3 - 6);
  t.true(within(loss.count, expected, 3), `${loss.count} lost, mechanism ${expected}`);
  t.true(loss.from >= 6 * SECOND && loss.to <= 7.31 * SECOND, `acknowledged ${loss.from} to ${loss.to} µs`);
  // Every lost event has its cause: the leader's power loss, acks still in flight included.
  const violations = summary.checks['no-acked-loss']!.violations;
  t.is(violations.length, 1);
  t.regex(violations[0]!.message, /bus-broker-1 lost unsynced data at 7\.3s/);
});

test('unclean election, RF 4, 2 partitions: the replica cut off at 2 s is elected at 6 s; rate × 4 s lost', (t) => {
  const loss = lost(run('kafka-unclean-rf4').summary);
  const expected = 200 * (6 - 2);
  t.true(within(loss.count, expected, 4), `${loss.count} lost, mechanism ${expected}`);
  t.true(loss.from >= 3 * SECOND && loss.to <= 6 * SECOND, 'acknowledged once the ISR had shrunk (3 s), up to the power loss');
});

test('pre-KIP-101 truncation to a 3 s high-watermark checkpoint: rate × (follower crash − last checkpoint) lost', (t) => {
  const loss = lost(run('kafka-kip101-hw-checkpoint').summary);
  const expected = 400 * (10.2 - 9);
  // The follower's high watermark trails the leader's by a fetch: a few more than the window.
  t.true(loss.count >= expected && loss.count <= expected + 8, `${loss.count} lost, mechanism ${expected} (+ a fetch's worth)`);
  t.true(loss.from >= 8.99 * SECOND && loss.to <= 10.2 * SECOND, `acknowledged ${loss.from} to ${loss.to} µs`);
});

test('KIP-966: flush never, the last ISR member loses power — rate × cut lost without ELR, nothing with it', (t) => {
  const loss = lost(run('kafka-kip966-elr').summary);
  const expected = 250 * 3;
  t.true(within(loss.count, expected, 3), `${loss.count} lost, mechanism ${expected}`);
  t.true(loss.to < 3 * SECOND, 'only what was produced before the cut was acknowledged');
  const elr = run('kafka-kip966-elr', ['services.bus["eligible.leader.replicas.enable"]=true']).summary;
  t.true(elr.checks['no-acked-loss']!.ok, JSON.stringify(elr.checks['no-acked-loss']!.violations[0]));
});

test('KIP-320: the consumer detects exactly the truncated range (new log end → its position) and skips nothing', (t) => {
  const { summary, records } = run('kafka-kip320-consumer', [], (r) => r.k === 'client' && r.op === 'truncation-detected');
  const loss = lost(summary);
  const expected = 200 * (20 - 3);
  t.true(within(loss.count, expected, 2), `${loss.count} lost, mechanism ${expected}`);
  t.is(records.length, 1);
  const detected = records[0]!;
  t.is((detected.to as number) - (detected.from as number), loss.count, `truncation-detected ${detected.from} → ${detected.to}`);
  for (const check of ['skip', 'nonmonotonic', 'unobserved']) t.true(summary.checks[check]!.ok, check);
});

test('min.insync.replicas=2, both followers die: nothing refused while the ISR holds 2, every write refused (NotEnoughReplicas) once it is the leader alone, nothing lost', (t) => {
  const { summary, records } = run('kafka-min-isr2-two-down', [], (r) => (r.k === 'log' && r.op === 'reject') || (r.k === 'client' && r.op === 'retry' && r.error === 'not-enough-replicas'));
  for (const check of ['no-acked-loss', 'divergence']) t.true(summary.checks[check]!.ok, check);
  t.is(summary.checks['no-acked-loss']!.stats.duplicates, 0);
  const rejects = records.filter((r) => r.k === 'log');
  t.true(rejects.length > 0, 'the leader refused writes');
  t.true(rejects.every((r) => r.error === 'not-enough-replicas' && r.t >= 7 * SECOND && r.t < 10 * SECOND), 'only while the ISR is the leader alone (7 s, until the followers return at 10 s)');
  t.true(records.some((r) => r.k === 'client'), 'the producer saw NotEnoughReplicas');
  // Its produce requests to the leader timed out at 7 s; it asks each dead broker for metadata once
  // (1 s each, with retry.backoff.ms between), then the leader again — red before: it asked the
  // broker dead since 2 s over and over, and met no refusal before the followers came back.
  t.true(rejects[0]!.t < 9.5 * SECOND, `first refusal at ${rejects[0]!.t} µs`);
});

test('min.insync.replicas=2, NotEnoughReplicas for 10 s: each batch retries under its own numbers until its retries or delivery.timeout.ms run out; none fails because another did', (t) => {
  // Kafka's Sender fails one batch at a time (failBatch); an idempotent producer bumps its epoch
  // only once the partition's earlier batches are resolved. Red before: when the first batch ran
  // out, the producer took a new id and failed every other numbered batch with producer-id-reset
  // (808 of 1010 errors), after one retry each.
  const { summary, records } = run('kafka-min-isr2-two-down', ['duration=16s'], (r) => r.k === 'client' && (r.op === 'produce' || r.op === 'retry' || r.op === 'error'));
  for (const check of ['no-acked-loss', 'divergence']) t.true(summary.checks[check]!.ok, check);
  t.is(summary.checks['no-acked-loss']!.stats.duplicates, 0);
  const producedAt = new Map<string, number>();
  const retries = new Map<string, number>();
  for (const r of records) {
    const event = (r.events as string[])[0]!;
    if (r.op === 'produce') for (const e of r.events as string[]) producedAt.set(e, r.t);
    if (r.op === 'retry') retries.set(event, (retries.get(event) ?? 0) + 1);
  }
  const errors = records.filter((r) => r.op === 'error');
  t.true(errors.length > 0, 'writes were refused long enough to fail');
  t.deepEqual([...new Set(errors.map((r) => r.error))].sort(), ['delivery-timeout'], 'every failure is the batch\'s own');
  const early = errors.filter((r) => r.t < producedAt.get((r.events as string[])[0]!)! + 5 * SECOND && (retries.get((r.events as string[])[0]!) ?? 0) < 5);
  t.deepEqual(early, [], 'no batch failed before its 5 retries or its 5 s delivery timeout');
  t.true([...retries.values()].some((n) => n === 5), 'a batch met NotEnoughReplicas on all of its 5 retries');
});

test('min.insync.replicas=2, the leaders lost in turn: writes go on after the first clean election, are refused (NotEnoughReplicas) only after the second, nothing lost', (t) => {
  const { summary, records } = run('kafka-min-isr2-leaders-in-turn', [], (r) => r.k === 'log' && (r.op === 'reject' || r.op === 'elect'));
  for (const check of ['no-acked-loss', 'duplicate', 'divergence']) t.true(summary.checks[check]!.ok, check);
  const elections = records.filter((r) => r.op === 'elect' && r.epoch !== 0);
  t.deepEqual(elections.map((r) => [r.leader, (r.isr as string[]).length, r.clean]), [['bus-broker-2', 2, true], ['bus-broker-3', 1, true]]);
  const rejects = records.filter((r) => r.op === 'reject');
  t.true(rejects.length > 0, 'the last ISR member refused writes');
  t.true(rejects.every((r) => r.error === 'not-enough-replicas' && r.t >= elections[1]!.t && r.t < 12 * SECOND), 'only after the second election, until the brokers return at 12 s');
});
