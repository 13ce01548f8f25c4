/**
 * The producer's partition queues keep send order when a disconnect hands back requests with mixed
 * outcomes (in-flight-requests.ts): a refused connection attempt goes back unattempted, the
 * requests sent after it over the connection fail, and without idempotence the batches are re-sent
 * in the order they were first sent — the attempt's batch first.
 */
import test from 'ava';
import { LogProducer, type ClientInbound, type ProduceRequest } from '../../../src/features/log/actors/index.ts';
import type { Actor, Context, Wakeup } from '../../../src/kernel/contract/index.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';
import { scriptedProducer, scriptedWorld } from './_scripted-brokers.ts';

/**
 * The producer, with two things a test makes happen: at `heardAtUs` it hears from b2 (its partition's
 * leader) while its connection attempt there is out, as an answer to another request would tell it,
 * so more requests follow over the connection; at `refusedAtUs` b2's host refuses that attempt (its
 * process died and came back: the connection broke).
 */
class Scripted implements Actor<ClientInbound> {
  constructor(
    readonly producer: LogProducer,
    private readonly heardAtUs: number,
    private readonly refusedAtUs: number,
    private readonly onRefused: () => void,
  ) {}
  start(ctx: Context): void {
    this.producer.start(ctx);
    ctx.setTimer(this.heardAtUs, 'test:heard');
    ctx.setTimer(this.refusedAtUs, 'test:refused');
  }
  onMessage(ctx: Context, message: ClientInbound, from: string): void {
    this.producer.onMessage(ctx, message, from);
  }
  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'test:heard') (this.producer as unknown as { network: { heard(b: string): void } }).network.heard('b2');
    else if (wakeup.name === 'test:refused') {
      this.onRefused();
      this.producer.onDisconnect(ctx, { peer: 'b2', cause: 'refused', message: 'produce' } as never);
    }
    else this.producer.onTimer(ctx, wakeup);
  }
}

test('a refused connection attempt and the requests after it: one partition\'s batches are re-sent in the order first sent', (t) => {
  const { world, script } = scriptedWorld(1);
  // b2 (the partition's leader) answers produce requests only after 10 s until the refusal, so everything sent before it is still out; at once after.
  script.produceDelayUs = 10 * SECOND;
  const config = scriptedProducer({ ratePerSec: 20, partitioner: 'key', keys: 1, idempotence: false, stopAtUs: 400 * MS });
  world.spawn('p', 'nx', () => new Scripted(new LogProducer(config, 4), 150 * MS, 500 * MS, () => (script.produceDelayUs = 0)));
  world.run({ until: 2 * SECOND });
  const sends = script.received.filter((r) => r.message.type === 'produce').map((r) => ({ t: r.t, events: (r.message as unknown as ProduceRequest).partitions.flatMap((p) => p.events) }));
  const before = sends.filter((s) => s.t < 500 * MS);
  const after = sends.filter((s) => s.t > 500 * MS && s.t < 1000 * MS);
  t.true(before.length >= 3, 'the attempt and at least two requests after it');
  const first = before.flatMap((s) => s.events);
  // Before: the attempt's batch went back to the front first, the failed ones then in front of it — re-sent last.
  t.deepEqual(after.flatMap((s) => s.events).slice(0, first.length), first);
});
