/**
 * The broker's group-committed fsync (Broker.flush): every callback handed to it runs, once, after
 * an fsync that covers what was written before it was handed over — also when a callback asks for
 * the next fsync itself. A broker alone on its node, its controller a puppet that never answers;
 * the test flushes through the broker's live context from a world action, as its roles do.
 */
import test from 'ava';
import type { Context } from '../../../src/kernel/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { Broker, CLUSTER_DEFAULTS, type ClusterConfig } from '../../../src/features/log/actors/index.ts';
import { simulatorOf } from '../../../src/world/world.ts';
import { Scenario } from '../../world/_scenario.ts';

const CONFIG: ClusterConfig = { ...CLUSTER_DEFAULTS, brokers: ['broker-1'], controller: 'controller', topics: [], flush: { kind: 'every-write' } };

function lonelyBroker(): { s: Scenario; broker: () => Broker; ctx: () => Context } {
  const s = new Scenario();
  s.lanSite('hpc', 2, { latencyUs: 100 }, { latencyUs: 1 * MS });
  s.puppet('controller', 'hpc-2');
  let broker: Broker | undefined;
  s.world.spawn('broker-1', 'hpc-1', () => (broker = new Broker('broker-1', CONFIG)));
  return { s, broker: () => broker!, ctx: () => simulatorOf(s.world).contextOf('broker-1')! };
}

test('a callback that starts the next fsync, followed by one that asks for another, loses no callback (red before d7bd7db)', (t) => {
  const { s, broker, ctx } = lonelyBroker();
  const ran: string[] = [];
  s.at(10 * MS, () => {
    // An fsync in flight, so that the two callbacks below wait together for the next one.
    broker().flush(ctx());
    // A starts the next fsync itself (C waits for it); D, after it in the same list, asks for one more.
    broker().flush(ctx(), (c) => {
      ran.push('A');
      broker().flush(c, () => ran.push('C'));
    });
    broker().flush(ctx(), (c) => {
      ran.push('D');
      broker().flush(c);
    });
  });
  s.run(1 * SECOND);
  t.deepEqual(ran, ['A', 'D', 'C']);
  // Four fsyncs, one after the other: the first, A and D's, C's, and the one D asked for.
  const fsyncs = s.diskOps('broker-1', 'fsync', 'fsync-done').map(([, op]) => op);
  t.deepEqual(fsyncs, ['fsync', 'fsync-done', 'fsync', 'fsync-done', 'fsync', 'fsync-done', 'fsync', 'fsync-done']);
});
