/**
 * Every fault kind, injected through the same path a scenario uses, shows its effect in the world
 * — and undoes it when it ends — with `fault` records naming it, its targets and its phases.
 */
import test from 'ava';
import { InputError, MS, SECOND, type Micros } from '../../src/kernel/index.ts';
import { isTornRecord } from '../../src/kernel/contract/index.ts';
import { Scenario } from '../world/_scenario.ts';
import { fault, faultRecords, inject } from './_faults.ts';

const WAN_US = 1 * MS;

/** Sites `edge` (edge-1, edge-2) and `core` (core-1, core-2), a 1 ms lossless WAN, 10 µs LANs, disks of 100 µs per fsync. */
function world(seed = 1) {
  const s = new Scenario(seed);
  s.lanSite('edge', 2, { latencyUs: 10 }, { latencyUs: 100, bandwidthBytesPerSec: 1_000_000_000 });
  s.lanSite('core', 2, { latencyUs: 10 }, { latencyUs: 100, bandwidthBytesPerSec: 1_000_000_000 });
  s.link('edge', 'core', { latencyUs: WAN_US });
  return s;
}

/** `from` sends one small message to `to` at each of the times (numbered 0, 1, … in that order). */
function sendAt(s: Scenario, from: ReturnType<Scenario['puppet']>, to: string, times: Micros[]): void {
  for (const t of times) s.at(t, () => from.send(to, { bytes: 100 }));
}

test('process-crash: the process dies and restarts after `for`; its unsynced writes survive (page cache)', (t) => {
  const s = world();
  const db = s.puppet('db', 'core-1');
  s.at(1 * MS, () => db.disk.append('wal', 'a', 10));
  inject(s, fault('process-crash', { targets: ['db'] }).at(2 * MS).for(5 * MS));
  s.run(SECOND);
  t.deepEqual(s.kinds('crash', 'db').map((r) => [r.t, r.scope]), [[2 * MS, 'process']]);
  t.deepEqual(s.kinds('restart', 'db').map((r) => r.t), [7 * MS]);
  t.deepEqual(db.recoveries, [{ t: 7 * MS, files: { wal: ['a'] } }]);
  t.deepEqual(faultRecords(s).map(([time, , phase]) => [time, phase]), [[2 * MS, 'start'], [7 * MS, 'end']]);
  t.deepEqual(s.kinds('fault')[0]!.actors, ['db']);
});

test('process-crash of a node names every process on it', (t) => {
  const s = world();
  s.puppet('a', 'edge-1');
  s.puppet('b', 'edge-1');
  s.puppet('c', 'edge-2');
  inject(s, fault('process-crash', { targets: ['edge-1'] }).at(MS).for(MS));
  s.run(SECOND);
  t.deepEqual(s.kinds('crash').map((r) => r.a), ['a', 'b']);
});

test('node-crash with restart, and without: the node never comes back and the fault never ends', (t) => {
  const s = world();
  s.puppet('x', 'core-1');
  s.puppet('y', 'core-2');
  inject(s, fault('node-crash', { target: 'core-1' }).at(MS).for(2 * MS), fault('node-crash', { target: 'core-2', restart: false }).at(MS).forever());
  s.run(SECOND);
  t.deepEqual(s.kinds('restart').map((r) => r.a), ['x']);
  t.true(s.world.isNodeUp('core-1'));
  t.false(s.world.isNodeUp('core-2'));
  const starts = s.kinds('fault').filter((r) => r.phase === 'start');
  t.is(starts[1]!.permanent, true);
  t.is(s.kinds('fault').filter((r) => r.phase === 'end').length, 1);
});

test('power-loss of a site: every node goes down at the same instant, and exactly the unsynced writes are lost', (t) => {
  const s = world();
  const a = s.puppet('a', 'core-1');
  const b = s.puppet('b', 'core-2');
  s.at(1 * MS, () => {
    a.disk.append('log', 1, 10);
    a.disk.fsync({ name: 'synced' });
    b.disk.append('log', 1, 10);
  });
  s.at(2 * MS, () => {
    a.disk.append('log', 2, 10); // after the fsync: not durable
    b.disk.fsync();
  });
  s.at(2 * MS + 50, () => b.disk.append('log', 2, 10)); // b's fsync is still in flight: lost with it
  inject(s, fault('power-loss', { targets: ['core'] }).at(2 * MS + 60).for(MS));
  s.run(SECOND);
  t.deepEqual(s.kinds('crash').map((r) => [r.a, r.t]), [['a', 2 * MS + 60], ['b', 2 * MS + 60]]);
  t.deepEqual(a.recoveries[0]!.files, { log: [1] });
  t.deepEqual(b.recoveries[0]!.files, {}, 'b had never completed an fsync');
  t.deepEqual(s.kinds('fault')[0]!.nodes, ['core-1', 'core-2']);
});

test('power-loss by role: every site of the role', (t) => {
  const s = new Scenario(1);
  s.site('lab', { role: 'instrument', nodes: 1 });
  s.site('hpc', { role: 'hpc', nodes: 2 });
  s.site('cloud', { role: 'hpc', nodes: 1 });
  for (const node of ['lab-1', 'hpc-1', 'hpc-2', 'cloud-1']) s.puppet(`on-${node}`, node);
  inject(s, fault('power-loss', { targets: ['hpc', 'cloud'] }).at(MS).for(MS));
  s.run(SECOND);
  t.deepEqual(s.kinds('crash').map((r) => r.a), ['on-hpc-1', 'on-hpc-2', 'on-cloud-1']);
});

test('torn-write: the first unsynced record survives as a detectable partial record; nothing after it', (t) => {
  const s = world();
  const db = s.puppet('db', 'core-1');
  s.at(MS, () => {
    db.disk.append('wal', 'r0', 10);
    db.disk.append('wal', 'r1', 10);
    db.disk.fsync();
    db.disk.put('meta', { v: 1 }, 10);
  });
  s.at(2 * MS, () => {
    db.disk.append('wal', 'r2', 10);
    db.disk.append('wal', 'r3', 10);
  });
  inject(s, fault('torn-write', { targets: ['core-1'] }).at(3 * MS).for(MS));
  s.run(SECOND);
  const wal = db.recoveries[0]!.files.wal!;
  t.deepEqual(wal.slice(0, 2), ['r0', 'r1']);
  t.is(wal.length, 3);
  t.true(isTornRecord(wal[2]));
  t.false(wal.slice(0, 2).some(isTornRecord));
  t.false('meta' in db.recoveries[0]!.files, 'a put is lost, not torn');
  t.deepEqual(s.kinds('disk', 'db').filter((r) => r.op === 'torn').map((r) => [r.file, r.record]), [['wal', 2]]);
});

test('lose-unsynced: the node stays up, unsynced writes vanish, and an fsync in flight completes without saving them', (t) => {
  const s = world();
  const db = s.puppet('db', 'core-1');
  s.at(MS, () => {
    db.disk.append('wal', 'kept', 10);
    db.disk.fsync();
  });
  s.at(2 * MS, () => {
    db.disk.append('wal', 'dropped', 10);
    db.disk.fsync({ name: 'synced' }); // completes at 2.1 ms, after the drop
  });
  inject(s, fault('lose-unsynced', { targets: ['core-1'] }).at(2 * MS + 50));
  let seen: unknown[] | undefined;
  s.at(2 * MS + 60, () => (seen = db.files().wal));
  s.crashNode('core-1').at(5 * MS);
  s.restartNode('core-1').at(6 * MS);
  s.run(SECOND);
  t.deepEqual(seen, ['kept']);
  t.true(db.wakeups.some(([, name]) => name === 'synced'), 'the fsync reports success');
  t.deepEqual(db.recoveries[0]!.files.wal, ['kept'], 'and yet made nothing durable');
  t.true(s.kinds('crash').every((r) => r.t === 5 * MS), 'no crash from the fault itself');
  t.deepEqual(faultRecords(s).map(([, , phase]) => phase), ['instant']);
});

test('disk-full: writes are refused while it lasts and accepted after', (t) => {
  const s = world();
  const db = s.puppet('db', 'core-1');
  const results: boolean[] = [];
  for (const time of [MS, 3 * MS, 6 * MS]) s.at(time, () => results.push(db.disk.append('wal', time, 10)));
  inject(s, fault('disk-full', { targets: ['core'] }).at(2 * MS).for(2 * MS));
  s.run(SECOND);
  t.deepEqual(results, [true, false, true]);
  t.deepEqual(db.files().wal, [MS, 6 * MS]);
  t.deepEqual(s.diskOps('db', 'refused'), [[3 * MS, 'refused']]);
});

test('slow-disk: an fsync takes factor times as long; two overlapping slow-disk faults compound', (t) => {
  const s = world();
  const db = s.puppet('db', 'core-1');
  for (const [time, name] of [[MS, 'healthy'], [10 * MS, 'slow'], [20 * MS, 'slower']] as const) s.at(time, () => db.disk.fsync({ name }));
  inject(s, fault('slow-disk', { targets: ['core-1'], factor: 10 }).at(5 * MS).for(30 * MS), fault('slow-disk', { targets: ['core-1'], factor: 3 }).at(15 * MS).for(10 * MS));
  s.run(SECOND);
  t.deepEqual(db.wakeups, [[MS + 100, 'healthy'], [10 * MS + 1_000, 'slow'], [20 * MS + 3_000, 'slower']]);
});

test('slow-node: actors read their node CPU slowdown factor; it returns to 1 after', (t) => {
  const s = world();
  const worker = s.puppet('worker', 'core-1');
  const other = s.puppet('other', 'core-2');
  const seen: [string, number][] = [];
  for (const time of [MS, 3 * MS, 6 * MS]) s.at(time, () => seen.push([`${time}`, worker.ctx.cpuSlowdown()], [`other@${time}`, other.ctx.cpuSlowdown()]));
  inject(s, fault('slow-node', { targets: ['core-1'], factor: 5 }).at(2 * MS).for(2 * MS));
  s.run(SECOND);
  t.deepEqual(seen.filter(([k]) => !k.startsWith('other')).map(([, f]) => f), [1, 5, 1]);
  t.true(seen.filter(([k]) => k.startsWith('other')).every(([, f]) => f === 1));
});

test('clock-skew: ctx.localTime() is off by the offset (ahead or behind) while it lasts; ctx.now() is not', (t) => {
  const s = world();
  const p = s.puppet('p', 'edge-1');
  const q = s.puppet('q', 'edge-2');
  const seen: [number, number, number][] = [];
  for (const time of [MS, 5 * SECOND, 9 * SECOND]) s.at(time, () => seen.push([p.ctx.now(), p.ctx.localTime(), q.ctx.localTime()]));
  inject(s, fault('clock-skew', { targets: ['edge-1'], offsetUs: 2 * SECOND }).at(SECOND).for(5 * SECOND), fault('clock-skew', { targets: ['edge-2'], offsetUs: -3 * SECOND }).at(4 * SECOND).forever());
  s.run(10 * SECOND);
  t.deepEqual(seen, [
    [MS, MS, MS],
    [5 * SECOND, 7 * SECOND, 2 * SECOND],
    [9 * SECOND, 9 * SECOND, 6 * SECOND],
  ]);
});

test('partition: a partitioned link delivers nothing, either way, until it heals', (t) => {
  const s = world();
  const edge = s.puppet('edge', 'edge-1');
  const core = s.puppet('core', 'core-1');
  sendAt(s, edge, 'core', [MS, 10 * MS, 30 * MS]);
  sendAt(s, core, 'edge', [MS, 10 * MS, 30 * MS]);
  inject(s, fault('partition', { from: ['edge'], to: ['core'], fromNodes: ['edge-1', 'edge-2'], toNodes: ['core-1', 'core-2'], direction: 'both' }).at(5 * MS).for(20 * MS));
  s.run(SECOND);
  t.deepEqual(core.inbox.map((a) => a.id), [0, 2]);
  t.deepEqual(edge.inbox.map((a) => a.id), [0, 2]);
  t.is(s.drops().filter(([, , cause]) => cause === 'partition').length, 2);
});

test('partition one-way: only from → to is cut', (t) => {
  const s = world();
  const edge = s.puppet('edge', 'edge-1');
  const core = s.puppet('core', 'core-1');
  sendAt(s, edge, 'core', [10 * MS]);
  sendAt(s, core, 'edge', [10 * MS]);
  inject(s, fault('partition', { from: ['edge-1'], to: ['core-1'], fromNodes: ['edge-1'], toNodes: ['core-1'], direction: 'one-way' }).at(5 * MS).for(20 * MS));
  s.run(SECOND);
  t.is(core.inbox.length, 0);
  t.is(edge.inbox.length, 1);
});

test('partition bridge (from splitGroup): the bridge node talks to both sides, the sides not to each other', (t) => {
  const s = new Scenario(1);
  s.lanSite('dc', 5, { latencyUs: 10 });
  const p = ['dc-1', 'dc-2', 'dc-3', 'dc-4', 'dc-5'].map((node) => s.puppet(`p-${node}`, node));
  inject(s, fault('partition', { from: ['dc-1', 'dc-2'], to: ['dc-4', 'dc-5'], fromNodes: ['dc-1', 'dc-2'], toNodes: ['dc-4', 'dc-5'], direction: 'both', shape: 'bridge' }).at(0).for(SECOND));
  s.at(MS, () => {
    p[0]!.send('p-dc-3');
    p[0]!.send('p-dc-5');
    p[4]!.send('p-dc-3');
  });
  s.run(SECOND);
  t.is(p[2]!.inbox.length, 2, 'the bridge hears both sides');
  t.is(p[4]!.inbox.length, 0, 'the sides are cut');
});

test('heal: ends every active network fault at once; their later ends do nothing', (t) => {
  const s = world();
  const edge = s.puppet('edge', 'edge-1');
  const core = s.puppet('core', 'core-1');
  sendAt(s, edge, 'core', [10 * MS]);
  const cut = fault('partition', { from: ['edge'], to: ['core'], fromNodes: ['edge-1', 'edge-2'], toNodes: ['core-1', 'core-2'], direction: 'both' }).at(MS).for(SECOND);
  const slow = fault('latency-spike', { between: ['edge', 'core'], extraUs: 100 * MS }).at(MS).for(SECOND);
  const crash = fault('node-crash', { target: 'edge-2' }).at(MS).for(SECOND);
  inject(s, cut, slow, crash, fault('heal', {}).at(5 * MS));
  s.run(2 * SECOND);
  t.deepEqual(core.inbox.map((a) => a.t), [10 * MS + WAN_US + 1], 'delivered, at the healthy latency');
  const ends = s.kinds('fault').filter((r) => r.phase === 'end');
  t.deepEqual(ends.map((r) => [r.fault, r.t, r.healedBy]), [
    [cut.id, 5 * MS, `heal-${Number(cut.id.split('-')[1]) + 3}`],
    [slow.id, 5 * MS, `heal-${Number(cut.id.split('-')[1]) + 3}`],
    [crash.id, MS + SECOND, undefined],
  ]);
});

test('link-flap: the link is down for `down`, up for `up`, … and up after the fault', (t) => {
  const s = world();
  const edge = s.puppet('edge', 'edge-1');
  const core = s.puppet('core', 'core-1');
  // Flapping from 10 ms: down [10, 20), up [20, 50), down [50, 60), up [60, …); the fault ends at 70.
  const times = [5, 15, 25, 55, 65, 75].map((ms) => ms * MS);
  sendAt(s, edge, 'core', times);
  inject(s, fault('link-flap', { between: ['edge', 'core'], downUs: 10 * MS, upUs: 30 * MS }).at(10 * MS).for(60 * MS));
  s.run(SECOND);
  t.deepEqual(core.inbox.map((a) => a.id), [0, 2, 4, 5]);
});

test('latency-spike adds latency while it lasts; bandwidth-drop slows transmission; both undo at their end', (t) => {
  const s = world();
  const edge = s.puppet('edge', 'edge-1');
  const core = s.puppet('core', 'core-1');
  s.at(MS, () => edge.send('core', { bytes: 1_000 }));
  s.at(100 * MS, () => edge.send('core', { bytes: 1_000 }));
  s.at(300 * MS, () => edge.send('core', { bytes: 100_000 }));
  s.at(500 * MS, () => edge.send('core', { bytes: 1_000 }));
  inject(
    s,
    fault('latency-spike', { between: ['edge', 'core'], extraUs: 40 * MS }).at(50 * MS).for(100 * MS),
    fault('bandwidth-drop', { between: ['core', 'edge'], bandwidthBytesPerSec: 1_000_000 }).at(250 * MS).for(100 * MS),
  );
  s.run(SECOND);
  const tx = (bytes: number, bw: number) => Math.ceil((bytes * SECOND) / bw);
  t.deepEqual(core.arrivalsFrom('edge'), [
    MS + tx(1_000, 1_250_000_000) + WAN_US,
    100 * MS + tx(1_000, 1_250_000_000) + WAN_US + 40 * MS,
    300 * MS + tx(100_000, 1_000_000) + WAN_US,
    500 * MS + tx(1_000, 1_250_000_000) + WAN_US,
  ]);
});

test('jitter: arrivals spread over [latency, latency + jitter] while it lasts, and stay in order', (t) => {
  const s = world();
  const edge = s.puppet('edge', 'edge-1');
  const core = s.puppet('core', 'core-1');
  const sends = Array.from({ length: 50 }, (_, i) => 10 * MS + i * 20 * MS);
  sendAt(s, edge, 'core', sends);
  inject(s, fault('jitter', { between: ['edge', 'core'], jitterUs: 5 * MS }).at(0).for(2 * SECOND));
  s.run(3 * SECOND);
  const delays = core.inbox.map((a, i) => a.t - sends[i]! - WAN_US);
  t.true(delays.every((d) => d >= 0 && d <= 5 * MS + 1));
  t.true(new Set(delays).size > 10, 'delays vary');
});

test('packet-loss: a lossy link drops messages while it lasts, with cause loss', (t) => {
  const s = world();
  const edge = s.puppet('edge', 'edge-1');
  const core = s.puppet('core', 'core-1');
  sendAt(s, edge, 'core', Array.from({ length: 20 }, (_, i) => (i + 1) * MS));
  sendAt(s, edge, 'core', [100 * MS]);
  inject(s, fault('packet-loss', { between: ['edge', 'core'], loss: 1 }).at(0).for(50 * MS));
  s.run(SECOND);
  t.deepEqual(core.inbox.map((a) => a.id), [20]);
  t.is(s.drops().filter(([, , cause]) => cause === 'loss').length, 20);
});

test('duplicate: each message arrives twice, both naming the one send', (t) => {
  const s = world();
  const edge = s.puppet('edge', 'edge-1');
  const core = s.puppet('core', 'core-1');
  sendAt(s, edge, 'core', [MS, 2 * MS, 100 * MS]);
  inject(s, fault('duplicate', { between: ['edge', 'core'], probability: 1 }).at(0).for(50 * MS));
  s.run(SECOND);
  t.deepEqual(core.inbox.map((a) => a.id), [0, 0, 1, 1, 2]);
  const recvs = s.kinds('recv', 'core').map((r) => r.s);
  t.is(recvs[0], recvs[1]);
});

test('reorder: held-back messages are overtaken by later ones; after the fault the link is FIFO again', (t) => {
  const s = world();
  const edge = s.puppet('edge', 'edge-1');
  const core = s.puppet('core', 'core-1');
  const during = Array.from({ length: 40 }, (_, i) => MS + i * 100);
  sendAt(s, edge, 'core', during);
  sendAt(s, edge, 'core', Array.from({ length: 10 }, (_, i) => 200 * MS + i * 100));
  inject(s, fault('reorder', { between: ['edge', 'core'], probability: 0.5, delayUs: 5 * MS }).at(0).for(100 * MS));
  s.run(SECOND);
  const order = core.inbox.map((a) => a.id);
  t.is(order.length, 50);
  t.notDeepEqual(order.slice(0, 40), [...order.slice(0, 40)].sort((a, b) => a - b), 'some overtaken');
  t.deepEqual(order.slice(40), [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
});

test('overlapping faults compose: a node comes back when the last fault holding it ends; a crashed process stays down through its node\'s reboot', (t) => {
  const s = world();
  const a = s.puppet('a', 'core-1');
  s.puppet('b', 'core-1');
  inject(
    s,
    fault('power-loss', { targets: ['core'] }).at(1 * MS).for(4 * MS), // core-1 down [1, 5)
    fault('node-crash', { target: 'core-1' }).at(3 * MS).for(5 * MS), // and [3, 8)
    fault('process-crash', { targets: ['a'] }).at(0).for(10 * MS), // a down [0, 10)
  );
  s.run(SECOND);
  t.deepEqual(s.kinds('restart').map((r) => [r.a, r.t]), [['b', 8 * MS], ['a', 10 * MS]]);
  t.is(a.recoveries.length, 1);
});

test('a fault that would affect nothing is rejected before the run, naming it', (t) => {
  const s = world();
  s.puppet('p', 'edge-1');
  const bad = [
    fault('power-loss', { targets: ['nowhere'] }).at(MS).for(MS),
    fault('process-crash', { targets: ['core-2'] }).at(MS).for(MS), // no process there
    fault('latency-spike', { between: ['edge', 'edge'], extraUs: MS }).at(MS).for(MS),
    fault('power-loss', { targets: [] }).at(MS).for(MS),
  ];
  const messages = bad.map((f) => t.throws(() => inject(s, f), { instanceOf: InputError })?.message);
  t.regex(messages[0]!, /no site, node or actor named "nowhere"/);
  t.regex(messages[1]!, /no actors on core-2, so the fault would affect nothing/);
  t.regex(messages[2]!, /not linked, so a fault on their link would affect nothing/);
  t.regex(messages[3]!, /no target given, so the fault would affect nothing/);
});
