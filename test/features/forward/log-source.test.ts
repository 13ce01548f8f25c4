/**
 * The log source (forwarders, alert brokers, pipeline inputs) fetches as a Kafka consumer, against
 * scripted brokers that record every request: one FetchRequest per leader broker carrying every
 * partition it leads, sized by fetch.max.bytes / max.partition.fetch.bytes / fetch.min.bytes /
 * fetch.max.wait.ms; and a leader whose process dies on a live host fails the fetch parked there
 * at once (Kafka's NetworkClient disconnect), so metadata is asked elsewhere within the reconnect
 * backoff instead of after the request timeout. The final reader reacts the same way.
 */
import test from 'ava';
import { LogSource } from '../../../src/features/forward/actors/index.ts';
import { LogFinalReader } from '../../../src/features/log/actors/index.ts';
import type { Actor, Context, Disconnect, Message, Wakeup } from '../../../src/kernel/contract/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { fetches, partitionsOf, scriptedWorld, type Scripted } from '../log/_scripted-brokers.ts';

const BROKERS = ['b1', 'b2', 'b3'];
const REQUEST_TIMEOUT_US = 2 * SECOND;

/** An owner that takes every event as soon as it is fetched, as a forwarder with room does. */
class Reader implements Actor<Message> {
  private source!: LogSource;
  readonly taken: string[] = [];

  start(ctx: Context): void {
    this.source = new LogSource(ctx, { service: 's', topic: 't', partitions: 4, brokers: BROKERS, controller: 'ctl' }, { requestTimeoutUs: REQUEST_TIMEOUT_US, retryBackoffUs: 100 * MS, readAheadBytes: 4 << 20 });
    this.source.start(ctx, [0, 0, 0, 0]);
  }

  onMessage(ctx: Context, message: Message, from: string): void {
    if (this.source.onMessage(ctx, message, from) === undefined) return;
    for (let p = 0; p < 4; p++) while (this.source.hasPending(p)) this.taken.push(...this.source.take(ctx, p, 1 << 20).map((e) => String(e.id)));
    this.source.send(ctx);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    this.source.onTimer(ctx, wakeup.name, wakeup.data);
  }

  onDisconnect(ctx: Context, { peer }: Disconnect): void {
    this.source.disconnected(ctx, peer);
  }
}

function scripted(client: () => Actor<Message>, crashAtUs?: number) {
  const { world, script } = scriptedWorld(1);
  world.spawn('r', 'nx', client);
  const conns: { t: number; peer: unknown; cause: unknown }[] = [];
  world.trace.listen((r) => {
    if (r.k === 'conn' && r.a === 'r') conns.push({ t: r.t, peer: r.peer, cause: r.cause });
  });
  if (crashAtUs !== undefined) world.at(crashAtUs, 'b1 process crash', () => world.crashActor('b1', 'test'));
  world.run({ until: 3 * SECOND });
  return { script, conns };
}

test('a log source sends one fetch per leader broker with every partition it leads, sized as a Kafka consumer\'s', (t) => {
  const reader = new Reader();
  const { script } = scripted(() => reader);
  t.deepEqual(partitionsOf(fetches(script, 'b1')[0]!), [0, 2]);
  t.deepEqual(partitionsOf(fetches(script, 'b2')[0]!), [1, 3]);
  t.is(fetches(script, 'b3').length, 0, 'b3 leads nothing');
  for (const request of [...fetches(script, 'b1'), ...fetches(script, 'b2')]) {
    t.like(request, { maxBytes: 50 << 20, minBytes: 1, maxWaitUs: 500 * MS }, 'fetch.max.bytes, fetch.min.bytes, fetch.max.wait.ms');
    t.true(request.partitions.every((p) => p.maxBytes === 1 << 20), 'max.partition.fetch.bytes');
  }
  t.is(reader.taken.length, 20, 'every record of the four partitions');
  // Caught up, each broker holds one request at a time: at most one fetch per broker per wait.
  t.true(fetches(script, 'b1').length <= 2 + Math.ceil((3 * SECOND) / (500 * MS)), `${fetches(script, 'b1').length} fetches to b1`);
});

/** The first metadata request sent after `t`, and to whom. */
function metadataAfter(script: Scripted, atUs: number) {
  return script.received.find((r) => r.t > atUs && r.message.type === 'metadata');
}

test('a leader\'s process dies: the log source\'s fetch parked there fails at once and metadata is asked of another broker, not after request.timeout.ms', (t) => {
  const crashAtUs = 1 * SECOND + 123 * MS;
  const { script, conns } = scripted(() => new Reader(), crashAtUs);
  t.like(conns[0], { peer: 'b1', cause: 'closed' });
  t.true(conns[0]!.t - crashAtUs < 5 * MS, `heard at ${conns[0]!.t}`);
  const asked = metadataAfter(script, crashAtUs);
  t.truthy(asked);
  t.not(asked!.to, 'b1', 'not the dead broker');
  t.true(asked!.t - crashAtUs < 10 * MS, `metadata asked at ${asked?.t}, ${(asked!.t - crashAtUs) / MS} ms after the crash`);
});

test('a leader\'s process dies during the final read: the final reader asks another broker for metadata at once', (t) => {
  const crashAtUs = 1 * SECOND + 123 * MS;
  const config = { topics: [{ name: 't', partitions: 4 }], brokers: BROKERS, readAtUs: 0, pageBytes: 1 << 20, timeoutUs: REQUEST_TIMEOUT_US, retryUs: 100 * MS };
  const { script, conns } = scripted(() => new LogFinalReader(config), crashAtUs);
  t.like(conns[0], { peer: 'b1', cause: 'closed' });
  const asked = metadataAfter(script, crashAtUs);
  t.truthy(asked);
  t.not(asked!.to, 'b1');
  t.true(asked!.t - crashAtUs < 10 * MS, `metadata asked ${(asked!.t - crashAtUs) / MS} ms after the crash`);
});
