/**
 * The forwarders' producing side (IdempotentSink, also the pipelines' stream sink) has the log
 * clients' network layer (ClientNetwork, as Kafka's NetworkClient — MirrorMaker 2 produces with the
 * ordinary producer): one request on a connection still being set up (`isReady`), a host that never
 * answers given up after the connection set-up timeout (KIP-601: 10 s, 20 s, 30 s), and Kafka's
 * request.timeout.ms default (30 s). Against the scripted brokers of the log client tests: b1 leads
 * partitions 0 and 2, b2 leads 1 and 3.
 */
import test from 'ava';
import { FORWARDER_DEFAULTS } from '../../../src/features/forward/actors/index.ts';
import { forwarderSchema } from '../../../src/features/forward/scenario/schema.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { producesPerBroker, scriptedWorld, setupTimeoutRange, type Scripted } from '../log/_scripted-brokers.ts';
import { SinkHost } from './_sink-host.ts';
import type { World } from '../../../src/world/index.ts';

/** Per broker: the sink's produce requests to it, and when the sink first heard from it (see `producesPerBroker`). */
function sinkSends(script: (s: Scripted, world: World) => void, until: number) {
  const { world, script: scripted } = scriptedWorld(1);
  script(scripted, world);
  world.spawn('fwd', 'nx', () => new SinkHost());
  const brokers = producesPerBroker(world, 'fwd');
  world.run({ until });
  return brokers;
}

test('the forwarders\' sink sends one request on a connection still being set up, and up to five once the broker has answered (Kafka\'s NetworkClient.isReady)', (t) => {
  const brokers = sinkSends((s) => (s.produceDelayUs = 200 * MS), 3 * SECOND);
  const [notYet] = [...brokers.values()].filter((b) => b.sends.some((s) => s.t < b.heardAt));
  t.truthy(notYet, 'one broker had not answered metadata before the first produce');
  t.deepEqual(notYet!.sends.filter((s) => s.t < notYet!.heardAt).map((s) => s.inFlight), [1], 'one request before its connection is up');
  t.true(Math.max(...notYet!.sends.map((s) => s.inFlight)) > 1, 'then more than one in flight');
});

test('the forwarders\' sink gives a host that never answers up after the connection set-up timeout (10 s, 20 s, 30 s), with one request out to it', (t) => {
  const brokers = sinkSends((_, world) => world.at(0, 'b2 down', () => world.crashNode('n2', 'test')), 75 * SECOND);
  const b2 = brokers.get('b2')!;
  const times = b2.sends.map((s) => s.t);
  t.true(times.length >= 4, `${times.length} produce requests to b2`);
  const gaps = times.slice(1, 4).map((at, i) => at - times[i]!);
  for (const n of [0, 1, 2]) {
    // The set-up timeout (10 s, 20 s, 30 s, each ±20 %: the first attempt's one request alone until then),
    // then the metadata refresh and the reconnect backoff (< 2 s).
    const { lo, hi } = setupTimeoutRange(n);
    t.true(gaps[n]! >= lo && gaps[n]! < hi + 2 * SECOND, `attempt ${n + 2}: ${gaps[n]! / SECOND} s after the one before, expected ${lo / SECOND}–${hi / SECOND} s`);
  }
  t.is(brokers.get('b1')!.sends.length > 0 && brokers.get('b1')!.inFlight, 0, 'b1 took its partitions\' plans meanwhile');
});

test('a forwarder waits request.timeout.ms 30 s for an acknowledgement by default, as Kafka\'s producer (MirrorMaker 2 keeps it)', (t) => {
  t.is(FORWARDER_DEFAULTS.requestTimeoutUs, 30 * SECOND);
  t.is(forwarderSchema.shape.timeout.parse(undefined), 30 * SECOND, 'a scenario\'s forwarder without `timeout`');
});

test('the forwarders\' sink asks the least-loaded broker for metadata, never one with produce requests out while another has none (Kafka\'s leastLoadedNode)', (t) => {
  for (let seed = 1; seed <= 8; seed++) {
    const { world, script } = scriptedWorld(seed);
    // b2's partitions have no leader: their lanes refresh metadata again and again while b1 holds every plan it got.
    script.leaderless = new Set([1, 3]);
    script.produceDelayUs = 25 * SECOND;
    world.spawn('fwd', 'nx', () => new SinkHost());
    const brokers = producesPerBroker(world, 'fwd');
    const asked: { t: number; to: string; b1Busy: boolean }[] = [];
    world.trace.listen((r) => {
      if (r.k === 'send' && r.a === 'fwd' && r.msg === 'metadata') asked.push({ t: r.t, to: r.to as string, b1Busy: brokers.get('b1')!.inFlight > 0 });
    });
    world.run({ until: 20 * SECOND });
    const whileBusy = asked.filter((a) => a.b1Busy);
    t.true(whileBusy.length >= 3, `seed ${seed}: ${whileBusy.length} metadata requests while b1 was busy`);
    t.deepEqual(whileBusy.filter((a) => a.to === 'b1').map((a) => a.t), [], `seed ${seed}: metadata asked of busy b1`);
  }
});
