/**
 * Real Kafka clients against `emulate --kafka` (three emulated brokers, no faults): kafkajs and
 * kcat each produce 10^4 messages and read them back in order, and a consumer group of two
 * rebalances when one member is killed. One emulation serves all three; the test ends it once its
 * clients are done. Every wait is on an event (a client's callback, a line the emulator prints),
 * with generous limits; every process and socket is ended by the teardown.
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { stage, type Stage } from './_stage.ts';

const MESSAGES = 10_000;
const FIXTURE = 'test/fixtures/kafka/clients.yaml';
const hasKcat = spawnSync('kcat', ['-V']).status === 0;

let shared: Promise<Stage> | undefined;
const teardowns: (() => void | Promise<void>)[] = [];
test.after.always(async () => {
  for (const fn of teardowns.reverse()) await fn();
});
/** The one emulation of this file, started by the first test that needs it. */
function emulator(): Promise<Stage> {
  shared ??= stage({ teardown: (fn) => teardowns.push(fn) }, FIXTURE);
  return shared;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > 60_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Runs a command without blocking the event loop (the emulator runs in this process). */
async function run(command: string, args: string[], input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [status] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { status, stdout, stderr };
}

function client(s: Stage, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [s.brokers[0]!], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 } });
}

/** Reads `count` messages of a one-partition topic from the beginning with a throwaway group. */
async function readBack(kafka: Kafka, topic: string, count: number, group: string): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length === count) resolve();
        },
      });
    });
    return values;
  } finally {
    await consumer.disconnect();
  }
}

test.serial('kafkajs produces 10^4 messages (acks -1, idempotent) and reads them back in order', async (t) => {
  t.timeout(120_000);
  const s = await emulator();
  const kafka = client(s, 'kafkajs-order');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const sent = Array.from({ length: MESSAGES }, (_, i) => `kafkajs-${i}`);
  for (let i = 0; i < MESSAGES; i += 500) {
    await producer.send({ topic: 'ordered', acks: -1, messages: sent.slice(i, i + 500).map((value) => ({ value })) });
  }
  await producer.disconnect();
  const read = await readBack(kafka, 'ordered', MESSAGES, 'order-check');
  t.deepEqual(read, sent);
  // Records reach the trace through the emulator's reorder buffer, behind emulated time.
  const acks = () => s.records().filter((r) => r.k === 'client' && r.op === 'ack');
  await until(() => acks().reduce((n, r) => n + (r.events as string[]).length, 0) === MESSAGES, 'every acknowledged record to be a traced ack');
  t.true(acks().every((r) => String(r.a).startsWith('stream-kafka-')), 'at a gateway actor');
});

test.serial('kcat produces 10^4 lines and consumes them back in order', async (t) => {
  if (!hasKcat) return t.fail('kcat is not installed (.ci/run installs it)');
  t.timeout(120_000);
  const s = await emulator();
  const lines = Array.from({ length: MESSAGES }, (_, i) => `kcat-${i}`);
  const produce = await run('kcat', ['-b', s.brokers[0]!, '-P', '-t', 'pairs', '-p', '1', '-X', 'acks=all', '-X', 'enable.idempotence=true'], `${lines.join('\n')}\n`);
  t.is(produce.status, 0, produce.stderr);
  const consume = await run('kcat', ['-b', s.brokers[0]!, '-C', '-t', 'pairs', '-p', '1', '-o', 'beginning', '-e', '-q']);
  t.is(consume.status, 0, consume.stderr);
  t.deepEqual(consume.stdout.trimEnd().split('\n'), lines);
});

test.serial('a consumer group of two rebalances to the survivor when one member is killed', async (t) => {
  t.timeout(120_000);
  const s = await emulator();
  const member = spawn(process.execPath, [new URL('./_member.mjs', import.meta.url).pathname, s.brokers[0]!, 'pair-group', 'pairs'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void member.kill('SIGKILL'));
  const assignedA: string[] = [];
  createInterface({ input: member.stdout! }).on('line', (line) => assignedA.push(line));
  await s.line(/group pair-group: generation \d+, members \[member-a-\d+\]/, 60_000);

  const kafka = client(s, 'member-b');
  const consumer = kafka.consumer({ groupId: 'pair-group', sessionTimeout: 3000, heartbeatInterval: 300, rebalanceTimeout: 3000, maxWaitTimeInMs: 200 });
  t.teardown(() => consumer.disconnect());
  const joins: number[][] = [];
  const joined: (() => void)[] = [];
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    joins.push(payload.memberAssignment.pairs ?? []);
    for (const notify of joined.splice(0)) notify();
  });
  const untilAssigned = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => (joins.at(-1)?.length === count ? resolve() : joined.push(check));
      check();
    });
  await consumer.connect();
  await consumer.subscribe({ topic: 'pairs', fromBeginning: false });
  await consumer.run({ eachMessage: async () => {} });
  await untilAssigned(1);
  t.deepEqual(joins.at(-1)!.length, 1, 'two members share the two partitions');

  member.kill('SIGKILL');
  await once(member, 'exit');
  await s.line(/group pair-group: .*session of member-a-\d+ expired/, 60_000);
  await untilAssigned(2);
  t.deepEqual([...joins.at(-1)!].sort(), [0, 1], 'the survivor takes both partitions');
  const rebalances = s.records().filter((r) => r.k === 'client' && r.op === 'rebalance' && r.group === 'pair-group');
  // The last generation's record may still wait in the emulator's reorder buffer; the first two are written.
  t.true(rebalances.length >= 2, 'each generation is a traced rebalance');
});

test.serial('an API outside the table gets UNSUPPORTED_VERSION, not a hang', async (t) => {
  const s = await emulator();
  const { createConnection } = await import('node:net');
  const [host, port] = s.brokers[0]!.split(':');
  const socket = createConnection({ host, port: Number(port) });
  t.teardown(() => void socket.destroy());
  await once(socket, 'connect');
  // DescribeGroups (15) v0, correlation id 7, client id "t", group list ["g"].
  const body = Buffer.from('000f' + '0000' + '00000007' + '000174' + '00000001' + '000167', 'hex');
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  socket.write(Buffer.concat([size, body]));
  const [reply] = (await once(socket, 'data')) as [Buffer];
  t.is(reply.readInt32BE(4), 7, 'correlation id');
  t.is(reply.readInt16BE(8), 35, 'UNSUPPORTED_VERSION');
});
