// Produces one message every 10 ms to an `emulate --kafka` run for 20 s, then says what kafkajs was
// told. Usage: node examples/kafka-client/produce.mjs [acks] (1, or -1 for all + idempotence).
import { Kafka, logLevel } from 'kafkajs';

const acks = Number(process.argv[2] ?? 1);
const kafka = new Kafka({ clientId: 'my-app', brokers: ['127.0.0.1:9092', '127.0.0.1:9093', '127.0.0.1:9094'], logLevel: logLevel.NOTHING, retry: { retries: 30, maxRetryTime: 500 } });
const producer = kafka.producer(acks === -1 ? { idempotent: true, maxInFlightRequests: 1 } : {});
await producer.connect();
let acked = 0;
let failed = 0;
const started = Date.now();
for (let n = 0; Date.now() - started < 20_000; n++) {
  try {
    await producer.send({ topic: 'projections', acks, timeout: 1000, messages: [{ value: `m-${n}` }] });
    acked++;
  } catch (error) {
    failed++;
    console.log(`m-${n} failed: ${error.message}`);
  }
  if (n % 100 === 0) console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${acked} acknowledged, ${failed} failed`);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
await producer.disconnect();
console.log(`kafkajs was told ${acked} messages were written (acks ${acks})`);
