/**
 * The gateway's mapping of Kafka requests onto the log's messages, against a scripted host (no
 * threads, no sockets): what a produce becomes, when its ack is recorded (only once the response
 * is sent), what an unanswered request is told, and how Metadata names leaders.
 */
import test from 'ava';
import * as api from '../../../../src/exec/emulate/kafka/apis.ts';
import { KafkaGateway, type GatewayHost } from '../../../../src/exec/emulate/kafka/gateway.ts';
import { encodeBatch } from '../../../../src/exec/emulate/kafka/record-batch.ts';
import { Reader, Writer } from '../../../../src/exec/emulate/kafka/wire.ts';
import type { Message } from '../../../../src/kernel/index.ts';

interface Sent {
  from: string;
  to: string;
  message: Message & Record<string, unknown>;
}

/** A host whose "actors" answer through `reply`, or not at all. */
function scripted(reply: (sent: Sent) => Message | undefined, nowUs = 0) {
  const sent: Sent[] = [];
  const records: Record<string, unknown>[] = [];
  const host: GatewayHost = {
    sendFrom(from, to, message) {
      const entry = { from, to, message: message as Sent['message'] };
      sent.push(entry);
      const answer = reply(entry);
      if (answer !== undefined) queueMicrotask(() => gateway.deliver({ type: 'deliver', to: from, from: to, sendN: 0, message: answer }));
      return sent.length;
    },
    recordAt: (actor, kind, fields) => void records.push({ a: actor, k: kind, ...fields }),
    isUp: () => true,
    now: () => nowUs,
  };
  const gateway = new KafkaGateway(host, {
    service: { brokers: ['s-broker-1', 's-broker-2'], controller: 's-controller', controllers: ['s-controller'], nodeOf: new Map([['s-broker-1', 'n1'], ['s-broker-2', 'n2']]), topics: [{ name: 't', partitions: 2 }] },
    gateways: ['s-kafka-1', 's-kafka-2'],
    host: '127.0.0.1',
    basePort: 9092,
    produceUntilUs: 10_000_000,
    usPerMs: 1000,
    say: () => {},
  });
  return { gateway, sent, records };
}

const header = (apiKey: number, apiVersion: number) => ({ apiKey, apiVersion, correlationId: 1, clientId: 'app' });
const connection = { id: 1, remote: 'test' };

function produceBody(timeoutMs: number, pid = 7): Reader {
  const records = encodeBatch({ baseOffset: 0, partitionLeaderEpoch: -1, producerId: pid, producerEpoch: 0, baseSequence: 3, records: [{ timestamp: 5, key: Buffer.from('k'), value: Buffer.from('v'), headers: [] }] });
  return new Reader(new Writer().string(null).int16(-1).int32(timeoutMs).array([0], (w) => w.string('t').array([0], (w) => w.int32(1).bytes(records))).buffer());
}

/** Produce v3 response: the partitions of its one topic. */
function produceResults(body: Buffer): { partition: number; error: number; offset: number }[] {
  const r = new Reader(body);
  const [topic] = r.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ partition: r.int32(), error: r.int16(), offset: r.int64(), logAppendTime: r.int64() })) }));
  return topic!.partitions.map(({ partition, error, offset }) => ({ partition, error, offset }));
}

test('a produce becomes a produce message to the broker; its ack is recorded only once the response is sent', async (t) => {
  const { gateway, sent, records } = scripted(({ message }) => (message.type === 'produce' ? { type: 'produce-reply', req: message.req, partitions: [{ topic: 't', partition: 1, offset: 42 }] } : undefined));
  const response = await gateway.handler(0)(connection, header(api.API.Produce, 3), produceBody(1000));
  t.like(sent[0], { from: 's-kafka-1', to: 's-broker-1' });
  t.like(sent[0]!.message, { type: 'produce', acks: -1, timeoutUs: 1_000_000 });
  t.like((sent[0]!.message as unknown as { partitions: object[] }).partitions[0], { topic: 't', partition: 1, pid: 7, seq: 3, events: ['kafka-p7-t-1-3'], keys: ['aw=='] });
  t.deepEqual(produceResults(response!.body), [{ partition: 1, error: api.ERROR.NONE, offset: 42 }]);
  t.false(records.some((rec) => rec.op === 'ack'), 'no ack before the client was sent it');
  response!.sent!();
  t.like(records.find((rec) => rec.op === 'ack'), { a: 's-kafka-1', k: 'client', events: ['kafka-p7-t-1-3'], offset: 42, partition: 1 });
});

test('a produce nobody answers (a partition, a crash) is answered REQUEST_TIMED_OUT after the client timeout, and recorded as an error', async (t) => {
  const { gateway, records } = scripted(() => undefined);
  const response = await gateway.handler(1)(connection, header(api.API.Produce, 3), produceBody(10));
  t.deepEqual(produceResults(response!.body), [{ partition: 1, error: api.ERROR.REQUEST_TIMED_OUT, offset: -1 }]);
  response!.sent!();
  t.like(records.find((rec) => rec.op === 'error'), { a: 's-kafka-2', error: 'request-timed-out' });
  t.false(records.some((rec) => rec.op === 'ack'));
});

test('after the safety phase a produce is refused (POLICY_VIOLATION, not retriable) and never reaches a broker', async (t) => {
  const { gateway, sent, records } = scripted(() => undefined, 10_000_000);
  const response = await gateway.handler(0)(connection, header(api.API.Produce, 3), produceBody(1000));
  t.deepEqual(produceResults(response!.body), [{ partition: 1, error: api.ERROR.POLICY_VIOLATION, offset: -1 }]);
  t.deepEqual(sent, []);
  t.false(records.some((rec) => rec.op === 'produce' || rec.op === 'ack'));
});

test('Metadata: leaders and ISR by broker number, every broker at its local port, LEADER_NOT_AVAILABLE for a partition without one', async (t) => {
  const partitions = [
    { topic: 't', partition: 0, replicas: ['s-broker-1', 's-broker-2'], leader: 's-broker-2', leaderEpoch: 3, partitionEpoch: 4, isr: ['s-broker-2'] },
    { topic: 't', partition: 1, replicas: ['s-broker-1', 's-broker-2'], leader: null, leaderEpoch: 4, partitionEpoch: 5, isr: [] },
  ];
  const { gateway } = scripted(({ message }) => ({ type: 'metadata-reply', req: message.req, controller: 's-controller', partitions }));
  const response = await gateway.handler(0)(connection, header(api.API.Metadata, 1), new Reader(new Writer().int32(-1).buffer()));
  const r = new Reader(response!.body);
  const brokers = r.array((r) => ({ id: r.int32(), host: r.string(), port: r.int32(), rack: r.nullableString() }));
  t.deepEqual(brokers.map((b) => `${b.id}@${b.host}:${b.port}`), ['1@127.0.0.1:9092', '2@127.0.0.1:9093']);
  t.is(r.int32(), 1, 'the controller clients are sent to is a live broker');
  const [topic] = r.array((r) => ({ error: r.int16(), name: r.string(), internal: r.bool(), partitions: r.array((r) => ({ error: r.int16(), id: r.int32(), leader: r.int32(), replicas: r.array((r) => r.int32()), isr: r.array((r) => r.int32()) })) }));
  t.deepEqual(topic!.partitions, [
    { error: 0, id: 0, leader: 2, replicas: [1, 2], isr: [2] },
    { error: api.ERROR.LEADER_NOT_AVAILABLE, id: 1, leader: -1, replicas: [1, 2], isr: [] },
  ]);
});
