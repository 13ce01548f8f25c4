/**
 * The event store's assertion catches a log changed behind its back, inside the handler that
 * relies on it, and the run stops with a `SimulationError` naming the seed, the simulated time
 * and the store. Without the assertion the run completes and the final read silently misses events.
 */
import test from 'ava';
import type { Context } from '../../../src/kernel/contract/index.ts';
import { InvariantViolation, SECOND } from '../../../src/kernel/contract/index.ts';
import { SimulationError } from '../../../src/kernel/index.ts';
import { EventStore, FinalReader, Producer, type ReadRequest, type StoreRequest } from '../../../src/features/store/actors/index.ts';
import { World } from '../../../src/world/index.ts';

/** A store with a bug: before serving the first read it loses the tail of its log, uncounted. */
class ForgetfulStore extends EventStore {
  private cut = false;

  override onMessage(ctx: Context, message: StoreRequest, from: string): void {
    if (message.type === 'read' && !this.cut) {
      this.cut = true;
      ctx.disk.truncate('events', 3);
    }
    super.onMessage(ctx, message as ReadRequest, from);
  }
}

test('a store whose log shrank behind its back is caught on the next read, with seed, time and actor', (t) => {
  const world = new World({ seed: 11 });
  world.addSite('lab', { nodes: 3 });
  world.spawn('store', 'lab-1', () => new ForgetfulStore({ flush: { kind: 'every-write' } }));
  world.spawn('detector', 'lab-2', () => new Producer({ store: 'store', ratePerSec: 10, eventBytes: 100, timeoutUs: SECOND, retries: 1, stopAtUs: SECOND }));
  world.spawn('reader', 'lab-3', () => new FinalReader({ store: 'store', readAtUs: 2 * SECOND, pageSize: 100, timeoutUs: SECOND }));
  const error = t.throws(() => world.run({ until: 3 * SECOND }), { instanceOf: SimulationError }) as SimulationError;
  t.like(error, { seed: 11, actor: 'store' });
  t.true(error.time >= 2 * SECOND && error.time < 3 * SECOND, `at ${error.time}us`);
  t.true(error.cause instanceof InvariantViolation);
  t.regex(error.message, /store: its length describes its log, but it counts 10 records and the log holds 3/);
});
