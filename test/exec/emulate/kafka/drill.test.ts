/**
 * The acks=1 leader-crash drill (scenarios/drills/log-acks1-leader-crash.yaml, its faults brought
 * forward: the leader cut off from its followers at 5 s, its node crashed at 6 s, back at 8 s) run
 * with kafkajs as the producer instead of the scenario's own:
 *  - at `acks: 1` kafkajs is told that writes succeeded which the new leader never had, and
 *    no-acked-loss fails citing exactly as many events as kafkajs's acknowledged messages missing
 *    from a read-back;
 *  - at `acks: -1` with idempotence nothing kafkajs was told is lost and nothing is stored twice.
 * The producer runs until the emulator prints that the crashed broker is back (an event, not a
 * clock), then reads everything back; the two drills run side by side (~25 s each).
 */
import test, { type ExecutionContext } from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { stage } from './_stage.ts';

const DRILL = 'scenarios/drills/log-acks1-leader-crash.yaml';
// Late enough that kafkajs is producing before the partition even on a loaded machine.
const SETS = ['faults[0].at=5s', 'faults[0].for=3s', 'faults[1].at=6s', 'faults[1].for=2s', 'duration=15s', 'quiesce=3s'];
const TOPIC = 'projections';

async function drill(t: ExecutionContext, acks: 1 | -1) {
  const s = await stage(t, DRILL, SETS);
  const kafka = new Kafka({
    clientId: `drill-acks${acks}`,
    brokers: [...s.brokers],
    logLevel: logLevel.NOTHING,
    requestTimeout: 5000,
    retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 500 },
  });
  const producer = kafka.producer(acks === -1 ? { idempotent: true, maxInFlightRequests: 1 } : {});
  await producer.connect();
  let stop = false;
  void s.line(/stream-broker-1 back/, 90_000).then(() => (stop = true), () => (stop = true));
  const acked: string[] = [];
  for (let n = 0; !stop; n += 10) {
    const values = Array.from({ length: 10 }, (_, i) => `m-${n + i}`);
    try {
      await producer.send({ topic: TOPIC, acks, timeout: 1000, messages: values.map((value) => ({ value })) });
      acked.push(...values);
    } catch {
      // Retries ran out: kafkajs reported a failure, so nothing here was acknowledged.
    }
  }
  await producer.disconnect();
  t.true(s.lines.some((l) => /stream-broker-1 down/.test(l)), 'the leader crashed while kafkajs was producing');
  t.true(acked.length > 0, 'kafkajs had writes acknowledged');

  const read = await readAll(kafka);
  const result = await s.done;
  const verdict = result.summary.checks['no-acked-loss']!;
  const readSet = new Set(read);
  return { acked, read, readSet, verdict, lostByClient: acked.filter((v) => !readSet.has(v)) };
}

/** Every message of the partition up to its high watermark, with a throwaway consumer group. */
async function readAll(kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const [{ high }] = await admin.fetchTopicOffsets(TOPIC);
  await admin.disconnect();
  const end = Number(high);
  const values: string[] = [];
  if (end === 0) return values;
  const consumer = kafka.consumer({ groupId: `read-${Math.random()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value!.toString());
        if (Number(message.offset) >= end - 1) resolve();
      },
    });
  });
  await consumer.disconnect();
  return values;
}

test('acks: 1 — kafkajs is told writes succeeded that the new leader never had; no-acked-loss names them', async (t) => {
  t.timeout(120_000);
  const { verdict, lostByClient } = await drill(t, 1);
  t.true(lostByClient.length > 0, 'kafkajs was told of writes that are gone');
  t.false(verdict.ok);
  t.is(verdict.stats.lost, lostByClient.length, 'the checker counts exactly the acknowledged messages kafkajs cannot read back');
  t.true(verdict.violations.some((v) => v.anomaly === 'lost' && (v.events ?? []).length > 0));
});

test('acks: -1 with idempotence — nothing kafkajs was told is lost, nothing is stored twice', async (t) => {
  t.timeout(120_000);
  const { read, readSet, verdict, lostByClient } = await drill(t, -1);
  t.deepEqual(lostByClient, []);
  t.is(read.length, readSet.size, 'no message read twice');
  t.true(verdict.ok, JSON.stringify(verdict.violations.slice(0, 2)));
  t.is(verdict.stats.lost, 0);
  t.is(verdict.stats.duplicates, 0);
});
