/**
 * The subscriber's guarantee and its break: a notice covering alerts it received before (a broker's
 * replay) is recorded with exactly how many it had seen, per partition; after its own crash it
 * remembers nothing, so a repeat counts as new.
 */
import test from 'ava';
import type { Context } from '../../../src/kernel/contract/index.ts';
import { MS, type TraceRecord } from '../../../src/kernel/index.ts';
import { AlertSubscriber, type AlertNotice } from '../../../src/features/alerts/actors/index.ts';
import { World } from '../../../src/world/index.ts';

const notice = (partition: number, offset: number, alerts: number): AlertNotice => ({ type: 'alert-notice', partition, offset, alerts, visits: [[0, alerts]], brightening: 0, fading: 0, steady: alerts });

/** A scripted broker sends `script[i]` at i ms; the subscriber's node is down over `down` (ms). */
function deliver(script: readonly AlertNotice[], down?: { at: number; for: number }): TraceRecord[] {
  const world = new World({ seed: 1 });
  world.addSite('broker');
  world.addSite('team');
  world.link('broker', 'team', { latencyUs: 100 });
  world.spawn('subscriber', 'team-1', () => new AlertSubscriber());
  world.spawn('scripted-broker', 'broker-1', () => ({
    start: (ctx: Context) => script.forEach((_, i) => ctx.setTimer((i + 1) * MS, 'notice', i)),
    onTimer: (ctx: Context, { data }: { data?: unknown }) => ctx.send('subscriber', script[data as number]!),
  }));
  if (down !== undefined) {
    world.at(down.at * MS, 'subscriber down', () => world.crashNode('team-1', 'test'));
    world.at((down.at + down.for) * MS, 'subscriber back', () => world.restartNode('team-1', 'test'));
  }
  const records: TraceRecord[] = [];
  world.trace.listen((r) => {
    if (r.op === 'alert-delivered') records.push(r);
  });
  world.run({ until: (script.length + 5) * MS });
  return records;
}

test('a replayed notice is recorded with how many of its alerts this subscriber had seen, partition by partition', (t) => {
  const records = deliver([notice(0, 0, 2), notice(0, 2, 2), notice(1, 0, 5), notice(0, 1, 4), notice(1, 5, 1)]);
  t.deepEqual(records.map((r) => [r.partition, r.offset, r.redelivered]), [[0, 0, undefined], [0, 2, undefined], [1, 0, undefined], [0, 1, 3], [1, 5, undefined]]);
  t.is(records[3]!.cover, 'alerts.redelivered');
});

test('after its own crash the subscriber remembers nothing: a repeat is recorded as new', (t) => {
  const records = deliver([notice(0, 0, 3), notice(0, 0, 3), notice(0, 0, 3)], { at: 2.5, for: 0.3 });
  t.deepEqual(records.map((r) => [r.offset, r.redelivered]), [[0, undefined], [0, 3], [0, undefined]]);
});
