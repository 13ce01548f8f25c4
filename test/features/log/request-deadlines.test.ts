/**
 * Request deadlines are checked when the client wakes, as Kafka's NetworkClient checks them at each
 * poll (handleTimedOutRequests), not by a timer per request: a request answered in time costs no
 * timer event, and one that is not is still failed at its deadline exactly.
 */
import test from 'ava';
import { LogConsumer, LogProducer, RequestDeadlines } from '../../../src/features/log/actors/index.ts';
import type { Actor, Context, Wakeup } from '../../../src/kernel/contract/index.ts';
import { MS, SECOND, type TraceRecord } from '../../../src/kernel/index.ts';
import { World } from '../../../src/world/index.ts';
import { scriptedConsumer, scriptedProducer, scriptedWorld } from './_scripted-brokers.ts';

/** Kernel events that left no record: timers cancelled before they fired (their events still pop). */
function silentEvents(spawn: (world: World) => void, until: number): { silent: number; requests: number } {
  const { world } = scriptedWorld(1);
  spawn(world);
  let recorded = 0;
  let requests = 0;
  world.trace.listen((r: TraceRecord) => {
    if (r.k === 'recv' || r.k === 'timer') recorded++;
    if (r.k === 'send' && (r.msg === 'produce' || r.msg === 'fetch') && (r.a === 'p' || r.a === 'c')) requests++;
  });
  const { events } = world.run({ until });
  return { silent: events - recorded, requests };
}

test('a producer\'s requests answered in time cost no timer event each', (t) => {
  // Past the requests' 30-s timeouts: a timer per request would have popped by then.
  const { silent, requests } = silentEvents((world) => world.spawn('p', 'nx', () => new LogProducer(scriptedProducer({ ratePerSec: 1000, stopAtUs: 10 * SECOND }), 4)), 45 * SECOND);
  t.true(requests > 1000, `${requests} produce requests`);
  t.true(silent < 20, `${silent} kernel events without a record`);
});

test('a consumer\'s fetches answered in time cost no timer event each', (t) => {
  const { silent, requests } = silentEvents((world) => world.spawn('c', 'nx', () => new LogConsumer(scriptedConsumer({ fetchMaxWaitUs: 5 * MS }))), 45 * SECOND);
  t.true(requests > 5000, `${requests} fetch requests`);
  t.true(silent < 20, `${silent} kernel events without a record`);
});

/** An actor sending requests (answered or not as told) and recording when each was reported timed out. */
class Requester implements Actor<never> {
  readonly timedOut: [number, number][] = [];
  private readonly first = new RequestDeadlines<number>('deadline');
  private readonly second = new RequestDeadlines<number>('deadline');
  start(ctx: Context): void {
    // Requests 1–3 due at 100, 200 and 300 ms; 2 is answered; 4, due at 50 ms, is set later and moves the timer forward.
    this.first.set(ctx, 1, 100 * MS);
    this.first.set(ctx, 2, 200 * MS);
    this.first.set(ctx, 3, 300 * MS);
    this.first.delete(2);
    this.first.set(ctx, 4, 50 * MS);
    // A second set under the same timer name keeps its own deadlines.
    this.second.set(ctx, 10, 150 * MS);
  }
  onMessage(): void {}
  onTimer(ctx: Context, wakeup: Wakeup): void {
    for (const set of [this.first, this.second]) for (const key of set.expired(ctx, wakeup) ?? []) this.timedOut.push([key, ctx.now()]);
  }
}

test('each request is reported at its deadline exactly, an answered one never, with one timer armed per set', (t) => {
  const world = new World({ seed: 1 });
  world.addSite('dc', { nodes: ['n'] });
  let actor!: Requester;
  world.spawn('r', 'n', () => (actor = new Requester()));
  const timers: number[] = [];
  world.trace.listen((r) => {
    if (r.k === 'timer' && r.a === 'r') timers.push(r.t);
  });
  world.run({ until: SECOND });
  t.deepEqual(actor.timedOut, [[4, 50 * MS], [1, 100 * MS], [10, 150 * MS], [3, 300 * MS]]);
  // The first set's timer was moved from 100 ms to 50 ms once; it then wakes at 100 and 300 ms (200 ms was answered).
  t.deepEqual(timers, [50 * MS, 100 * MS, 150 * MS, 300 * MS]);
});
