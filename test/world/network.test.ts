/**
 * Link timing, FIFO channels, jitter, loss, and which channel a message takes (loopback, LAN, WAN).
 */
import test from 'ava';
import fc from 'fast-check';
import { deriveRng, MS, SECOND, WORLD, type Rng } from '../../src/kernel/index.ts';
import { LOOPBACK_LATENCY_US, Network, type LinkParams } from '../../src/world/index.ts';
import { Scenario, transmissionUs } from './_scenario.ts';

/** Two sites `here` and `there` of one node each, joined by a WAN link with these parameters. */
function wan(params: { latencyUs: number; bandwidthBytesPerSec: number; jitterUs?: number; loss?: number }, seed = 1) {
  const s = new Scenario(seed);
  s.site('here');
  s.site('there');
  s.link('here', 'there', params);
  return { s, alice: s.puppet('alice', 'here-1'), bob: s.puppet('bob', 'there-1') };
}

// --- timing ---

test('a message of S bytes arrives at exactly now + ceil(S·1e6/B) + L', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 32 }), // S, bytes
      fc.integer({ min: 1, max: 100_000_000_000 }), // B, bytes/s (up to 800 Gb/s)
      fc.integer({ min: 0, max: 10 * MS * 100 }), // L, µs
      fc.integer({ min: 1, max: 1_000_000 }), // send time, µs
      (bytes, bandwidth, latency, sentAt) => {
        const { s, alice, bob } = wan({ latencyUs: latency, bandwidthBytesPerSec: bandwidth });
        s.at(sentAt, () => alice.send('bob', { bytes }));
        s.run(Number.POSITIVE_INFINITY);
        t.deepEqual(bob.arrivalsFrom('alice'), [sentAt + transmissionUs(bytes, bandwidth) + latency]);
      },
    ),
    { numRuns: 200 },
  );
});

test('the default message size is 64 bytes', (t) => {
  const { s, alice, bob } = wan({ latencyUs: 1_000, bandwidthBytesPerSec: 64_000 });
  s.at(10, () => alice.send('bob'));
  s.run(Number.POSITIVE_INFINITY);
  t.deepEqual(bob.arrivalsFrom('alice'), [10 + 1_000 + 1_000]);
});

test('back-to-back messages queue FIFO on the channel: the second arrives one transmission later', (t) => {
  // 1 MB/s: 5 000 bytes take 5 000 µs on the wire.
  const { s, alice, bob } = wan({ latencyUs: 2_000, bandwidthBytesPerSec: 1_000_000 });
  s.at(100, () => {
    alice.send('bob', { bytes: 5_000 });
    alice.send('bob', { bytes: 5_000 });
  });
  // Sent while the channel is still busy with the first two: it waits for them.
  s.at(3_100, () => alice.send('bob', { bytes: 1_000 }));
  // Sent after the channel went idle: no waiting.
  s.at(50_000, () => alice.send('bob', { bytes: 1_000 }));
  s.run(Number.POSITIVE_INFINITY);
  t.deepEqual(bob.arrivalsFrom('alice'), [100 + 5_000 + 2_000, 100 + 10_000 + 2_000, 100 + 11_000 + 2_000, 50_000 + 1_000 + 2_000]);
});

test('jitter delays but never reorders one direction of a link', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ gap: fc.nat({ max: 300 }), bytes: fc.nat({ max: 2_000 }) }), { minLength: 2, maxLength: 60 }),
      fc.integer({ min: 1, max: 5_000 }),
      fc.nat(),
      (messages, jitter, seed) => {
        const bandwidth = 10_000_000; // 10 MB/s: 2 000 bytes take 200 µs
        const latency = 500;
        const { s, alice, bob } = wan({ latencyUs: latency, bandwidthBytesPerSec: bandwidth, jitterUs: jitter }, seed);
        let now = 1;
        const earliest: number[] = [];
        let busyUntil = 0;
        for (const m of messages) {
          now += m.gap;
          const sentAt = now;
          s.at(sentAt, () => alice.send('bob', { bytes: m.bytes }));
          busyUntil = Math.max(sentAt, busyUntil) + transmissionUs(m.bytes, bandwidth);
          earliest.push(busyUntil + latency);
        }
        s.run(Number.POSITIVE_INFINITY);
        t.deepEqual(
          bob.inbox.map((a) => a.id),
          messages.map((_, i) => i),
          'arrival order is send order',
        );
        bob.inbox.forEach((a, i) => {
          if (a.t < earliest[i]) t.fail(`message ${i} arrived at ${a.t}, before ${earliest[i]}`);
        });
      },
    ),
    { numRuns: 100 },
  );
});

test('jitter is drawn in [0, jitterUs] and actually varies arrival times', (t) => {
  const { s, alice, bob } = wan({ latencyUs: 1_000, bandwidthBytesPerSec: 1_000_000_000, jitterUs: 400 });
  // Messages far apart in time, so FIFO never holds one back: each delay is latency + jitter.
  for (let i = 0; i < 200; i++) s.at(1 + i * 10_000, () => alice.send('bob', { bytes: 0 }));
  s.run(Number.POSITIVE_INFINITY);
  const jitters = bob.inbox.map((a, i) => a.t - (1 + i * 10_000) - 1_000);
  t.true(jitters.every((j) => Number.isInteger(j) && j >= 0 && j <= 400));
  t.true(new Set(jitters).size > 50, 'jitter takes many values');
  t.true(Math.min(...jitters) < 40 && Math.max(...jitters) > 360, 'jitter spans its range');
});

// --- loss ---

function lossyRun(seed: number, loss: number, count = 2_000): { delivered: number[]; dropped: number[] } {
  const { s, alice, bob } = wan({ latencyUs: 100, bandwidthBytesPerSec: 1_000_000_000, loss }, seed);
  for (let i = 0; i < count; i++) s.at(1 + i, () => alice.send('bob', { bytes: 100 }));
  s.run(Number.POSITIVE_INFINITY);
  const drops = s.kinds('drop', 'alice');
  if (drops.some((r) => r.cause !== 'loss' || r.to !== 'bob')) throw new Error('expected only loss drops of messages to bob');
  // A drop names its send record by `s`; map send records back to message numbers.
  const sendNs = s.kinds('send', 'alice').map((r) => r.n);
  return { delivered: bob.inbox.map((a) => a.id), dropped: drops.map((r) => sendNs.indexOf(Number(r.s))) };
}

test('loss drops roughly p of the messages, recorded at the sender with cause loss', (t) => {
  const count = 2_000;
  for (const loss of [0.05, 0.25, 0.5]) {
    const { delivered, dropped } = lossyRun(11, loss, count);
    t.is(delivered.length + dropped.length, count);
    // Binomial(2000, p): allow 5 standard deviations.
    const sd = Math.sqrt(count * loss * (1 - loss));
    t.true(Math.abs(dropped.length - count * loss) < 5 * sd, `loss ${loss}: dropped ${dropped.length} of ${count}`);
  }
  t.is(lossyRun(11, 0).dropped.length, 0);
  t.is(lossyRun(11, 1, 100).delivered.length, 0);
});

test('loss is deterministic per seed, and differs between seeds', (t) => {
  const first = lossyRun(5, 0.3);
  t.deepEqual(lossyRun(5, 0.3), first);
  t.notDeepEqual(lossyRun(6, 0.3).dropped, first.dropped);
});

test('a lost message still occupied the wire', (t) => {
  // With loss 1 the first message is lost; the second (sent at loss 0 after setLink) queues behind it.
  const { s, alice, bob } = wan({ latencyUs: 100, bandwidthBytesPerSec: 1_000_000, loss: 1 });
  s.at(10, () => {
    alice.send('bob', { bytes: 1_000 });
    s.world.network.setLink('here', 'there', { latencyUs: 100, jitterUs: 0, bandwidthBytesPerSec: 1_000_000, loss: 0 });
    alice.send('bob', { bytes: 1_000 });
  });
  s.run(Number.POSITIVE_INFINITY);
  t.deepEqual(bob.inbox, [{ t: 10 + 2_000 + 100, from: 'alice', id: 1 }]);
});

// --- which channel ---

/** Site `lab` (3 nodes, a fast LAN) and site `hpc` (2 nodes), joined by a slow WAN. */
function campus() {
  const s = new Scenario();
  s.lanSite('lab', 3, { latencyUs: 10, bandwidthBytesPerSec: 1_000_000_000 }); // 1 000 bytes: 1 µs
  s.lanSite('hpc', 2, { latencyUs: 20, bandwidthBytesPerSec: 100_000_000 }); // 1 000 bytes: 10 µs
  s.link('lab', 'hpc', { latencyUs: 1_000, bandwidthBytesPerSec: 1_000_000 }); // 1 000 bytes: 1 000 µs
  const p = {
    lab1: s.puppet('lab1', 'lab-1'),
    lab1b: s.puppet('lab1b', 'lab-1'),
    lab2: s.puppet('lab2', 'lab-2'),
    lab3: s.puppet('lab3', 'lab-3'),
    hpc1: s.puppet('hpc1', 'hpc-1'),
    hpc2: s.puppet('hpc2', 'hpc-2'),
  };
  return { s, ...p };
}

test('two nodes of one site use that site’s LAN parameters; across sites, the WAN link', (t) => {
  const { s, lab1, lab2, hpc1, hpc2 } = campus();
  s.at(100, () => {
    lab1.send('lab2', { bytes: 1_000 });
    lab1.send('hpc1', { bytes: 1_000 });
    hpc1.send('hpc2', { bytes: 1_000 });
  });
  s.run(Number.POSITIVE_INFINITY);
  t.deepEqual(lab2.arrivalsFrom('lab1'), [100 + 1 + 10]);
  t.deepEqual(hpc1.arrivalsFrom('lab1'), [100 + 1_000 + 1_000]);
  t.deepEqual(hpc2.arrivalsFrom('hpc1'), [100 + 10 + 20]);
});

test('two actors on one node talk over loopback, whatever the size', (t) => {
  const { s, lab1, lab1b } = campus();
  s.at(100, () => lab1.send('lab1b', { bytes: 1_000_000_000 }));
  s.run(Number.POSITIVE_INFINITY);
  t.deepEqual(lab1b.arrivalsFrom('lab1'), [100 + LOOPBACK_LATENCY_US]);
});

test('nodes crossing sites share the WAN link: the second pair waits for the first', (t) => {
  const { s, lab1, lab2, hpc1, hpc2 } = campus();
  s.at(100, () => {
    lab1.send('hpc1', { bytes: 1_000 });
    lab2.send('hpc2', { bytes: 1_000 });
  });
  s.run(Number.POSITIVE_INFINITY);
  t.deepEqual(hpc1.arrivalsFrom('lab1'), [100 + 1_000 + 1_000]);
  t.deepEqual(hpc2.arrivalsFrom('lab2'), [100 + 2_000 + 1_000]);
});

test('the two directions of a WAN link do not wait for each other', (t) => {
  const { s, lab1, hpc1 } = campus();
  s.at(100, () => {
    lab1.send('hpc1', { bytes: 1_000 });
    hpc1.send('lab1', { bytes: 1_000 });
  });
  s.run(Number.POSITIVE_INFINITY);
  t.deepEqual(hpc1.arrivalsFrom('lab1'), [2_100]);
  t.deepEqual(lab1.arrivalsFrom('hpc1'), [2_100]);
});

test('LAN channels are per pair of nodes: two senders to one node do not queue', (t) => {
  const { s, lab1, lab2, lab3 } = campus();
  s.at(100, () => {
    lab1.send('lab3', { bytes: 1_000 });
    lab2.send('lab3', { bytes: 1_000 });
    lab1.send('lab3', { bytes: 1_000 }); // queues behind lab1's first on lab-1>lab-3
  });
  s.run(Number.POSITIVE_INFINITY);
  t.deepEqual(lab3.arrivalsFrom('lab1'), [111, 112]);
  t.deepEqual(lab3.arrivalsFrom('lab2'), [111]);
});

test('sites without a link cannot talk; a message to an unknown actor is dropped at the sender', (t) => {
  const s = new Scenario();
  s.site('island');
  s.site('mainland');
  const crusoe = s.puppet('crusoe', 'island-1');
  s.puppet('friday', 'mainland-1');
  s.at(10, () => crusoe.send('nobody'));
  s.run(100);
  t.deepEqual(s.drops(), [[10, 'crusoe', 'unknown-target']]);
  const s2 = new Scenario();
  s2.site('island');
  s2.site('mainland');
  const c2 = s2.puppet('crusoe', 'island-1');
  s2.puppet('friday', 'mainland-1');
  s2.at(10, () => c2.send('friday'));
  t.throws(() => s2.run(100), { message: /no link between sites island and mainland/ });
});

// A node named like another site shares that pair of sites' WAN channel (and its random streams),
// because channel keys are `${fromNode}>${toNode}` for a LAN and `${fromSite}>${toSite}` for a WAN
// in one namespace (src/world/network.ts, `channel()`). Fix: prefix the LAN keys and stream
// purposes (`lan:${fromNode}>${toNode}`; only runs with LAN jitter or loss change hash), or have
// World.addSite refuse node names that equal a site name. Either fix passes this test. Remove
// `.failing` once fixed.
test('a LAN pair whose node names equal two site names does not share their WAN channel', (t) => {
  const s = new Scenario();
  try {
    s.world.addSite('hall', { nodes: ['a', 'b'], lan: { latencyUs: 10, jitterUs: 0, bandwidthBytesPerSec: 1_000_000_000, loss: 0 } });
    s.site('a');
    s.site('b');
  } catch (error) {
    t.regex(String(error), /\bname\b/, 'refusing the ambiguous names is a fix too');
    return;
  }
  s.link('a', 'b', { latencyUs: 1_000, bandwidthBytesPerSec: 1_000_000 });
  const onA = s.puppet('onA', 'a');
  const onB = s.puppet('onB', 'b');
  const siteA = s.puppet('siteA', 'a-1');
  const siteB = s.puppet('siteB', 'b-1');
  s.at(100, () => {
    siteA.send('siteB', { bytes: 1_000 }); // WAN a>b
    onA.send('onB', { bytes: 1_000 }); // LAN of hall, nodes a>b
  });
  s.run(Number.POSITIVE_INFINITY);
  t.deepEqual(siteB.arrivalsFrom('siteA'), [100 + 1_000 + 1_000]);
  t.deepEqual(onB.arrivalsFrom('onA'), [100 + 1 + 10], 'the LAN message took the LAN');
});

// --- what the network keeps (src/world/network.ts, pair-table.ts) ---

/**
 * The network as first written, one channel object per direction ever used, kept for the run:
 * the model the compact network must agree with to the microsecond and the random draw.
 */
class ChannelModel {
  private readonly channels = new Map<string, { busyUntil: number; lastArrival: number }>();

  constructor(
    private readonly seed: number,
    private readonly siteOf: (node: string) => string,
    private readonly lan: LinkParams,
  ) {}

  transmit(from: string, to: string, bytes: number, now: number): number | 'loss' {
    if (from === to) return now + LOOPBACK_LATENCY_US;
    const direction = this.siteOf(from) === this.siteOf(to) ? `lan:${from}>${to}` : `wan:${this.siteOf(from)}>${this.siteOf(to)}`;
    let channel = this.channels.get(direction);
    if (channel === undefined) this.channels.set(direction, (channel = { busyUntil: 0, lastArrival: 0 }));
    const { latencyUs, jitterUs, bandwidthBytesPerSec, loss } = this.lan;
    const departure = Math.max(now, channel.busyUntil);
    channel.busyUntil = departure + Math.ceil((bytes * SECOND) / bandwidthBytesPerSec);
    if (loss > 0 && this.stream('loss', direction).chance(loss)) return 'loss';
    const jitter = jitterUs > 0 ? this.stream('jitter', direction).int(0, jitterUs) : 0;
    channel.lastArrival = Math.max(channel.busyUntil + latencyUs + jitter, channel.lastArrival);
    return channel.lastArrival;
  }

  private readonly streams = new Map<string, Rng>();

  private stream(kind: string, direction: string): Rng {
    const purpose = `${kind}:${direction}`;
    let rng = this.streams.get(purpose);
    if (rng === undefined) this.streams.set(purpose, (rng = deriveRng(this.seed, WORLD, purpose)));
    return rng;
  }
}

function oneSiteNetwork(nodes: number, lan: LinkParams, seed: number): Network {
  const network = new Network((purpose) => deriveRng(seed, WORLD, purpose));
  for (let i = 0; i < nodes; i++) network.addNode({ name: `n-${i}`, site: 'hall' }, lan);
  return network;
}

test('LAN channels held only while they matter give the arrivals (and draws) of one channel per pair kept for the run', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 40 }), // nodes
      fc.record({ latencyUs: fc.integer({ min: 0, max: 2_000 }), jitterUs: fc.constantFrom(0, 0, 50), bandwidthBytesPerSec: fc.integer({ min: 1_000, max: 2_000_000 }), loss: fc.constantFrom(0, 0, 0.1) }),
      // (from, to, bytes, time step); a few hot nodes reuse their channels while busy, the rest fill the table.
      fc.array(fc.tuple(fc.oneof(fc.nat({ max: 2 }), fc.nat()), fc.oneof(fc.nat({ max: 2 }), fc.nat()), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 300 })), { minLength: 100, maxLength: 600, size: 'max' }),
      fc.integer({ min: 1, max: 1_000 }), // seed
      (nodes, lan, sends, seed) => {
        const network = oneSiteNetwork(nodes, lan, seed);
        const model = new ChannelModel(seed, () => 'hall', lan);
        let now = 0;
        for (const [a, b, bytes, step] of sends) {
          now += step;
          const [from, to] = [`n-${a % nodes}`, `n-${b % nodes}`];
          network.advanceTo(now);
          t.deepEqual(network.transmit(from, to, bytes, now), model.transmit(from, to, bytes, now), `${from}>${to} at ${now}`);
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('what the network holds follows the LAN channels busy at once, not the pairs that ever talked', (t) => {
  const lan: LinkParams = { latencyUs: 100, jitterUs: 0, bandwidthBytesPerSec: 1_000_000_000, loss: 0 };
  const nodes = 1_000;
  const network = oneSiteNetwork(nodes, lan, 1);
  let held = 0;
  // 200 000 sends of 1 kB (1 µs on the wire) among 10^6 possible pairs, one every 10 µs.
  for (let i = 0, now = 0; i < 200_000; i++, now += 10) {
    network.advanceTo(now);
    network.transmit(`n-${(i * 7919) % nodes}`, `n-${(i * 104_729 + 1) % nodes}`, 1_000, now);
    held = Math.max(held, network.heldLanChannels);
  }
  // At most ~10 channels have an arrival due (100 µs latency / 10 µs between sends); the table compacts at half full.
  t.true(held <= 64, `held ${held}`);
  // Without the clock's promise (emulation), nothing may be forgotten.
  const unsettled = oneSiteNetwork(nodes, lan, 1);
  for (let i = 0; i < 2_000; i++) unsettled.transmit(`n-${i % nodes}`, `n-${(i + 1) % nodes}`, 1_000, i * 10);
  t.is(unsettled.heldLanChannels, 1_000);
  // Messages of no size on a LAN without jitter leave nothing behind at all.
  const empty = oneSiteNetwork(nodes, lan, 1);
  for (let i = 0; i < 2_000; i++) empty.transmit(`n-${i % nodes}`, `n-${(i * 13 + 1) % nodes}`, 0, i);
  t.is(empty.heldLanChannels, 0);
});

test('actors spawned past the first rows of the actor table take their own nodes\' links', (t) => {
  // The world keeps each actor's node and site in the kernel's actor rows (256 at first, then
  // grown): actors far past that still route by their own place — LAN within a site, WAN across.
  const s = new Scenario();
  const here = s.lanSite('here', 300, { latencyUs: 2 * MS });
  s.lanSite('there', 1, { latencyUs: 3 * MS });
  s.link('here', 'there', { latencyUs: 7 * MS, bandwidthBytesPerSec: 1_000_000_000 });
  const puppets = here.map((node, i) => s.puppet(`p-${i}`, node));
  const far = s.puppet('far', 'there-1');
  const last = puppets[puppets.length - 1];
  s.at(10, () => last.send('far', { bytes: 0 }));
  s.at(10, () => last.send('p-0', { bytes: 0 }));
  s.at(20, () => far.send('p-299', { bytes: 0 }));
  s.run(Number.POSITIVE_INFINITY);
  t.deepEqual(far.arrivalsFrom('p-299'), [10 + 7 * MS]);
  t.deepEqual(puppets[0].arrivalsFrom('p-299'), [10 + 2 * MS]);
  t.deepEqual(last.arrivalsFrom('far'), [20 + 7 * MS]);
});
