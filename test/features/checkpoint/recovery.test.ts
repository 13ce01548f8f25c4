/**
 * Local recovery across levels: the newest checkpoint that survived on any level is restored, and
 * on a tie the faster level (listed first) serves it.
 */
import test from 'ava';
import type { Context } from '../../../src/kernel/index.ts';
import { LocalRecovery } from '../../../src/features/checkpoint/actors/recovery.ts';
import type { OperatorHost, OperatorImage, StoredCheckpoint } from '../../../src/features/checkpoint/actors/index.ts';
import type { TierClient } from '../../../src/features/checkpoint/actors/tiers.ts';

const image = (generated: number): OperatorImage => ({ state: { generated }, inputs: {}, outputs: {}, generated, pending: [], outbox: [] });
const full = (id: number): StoredCheckpoint => ({ id, kind: 'full', bytes: 100, image: image(id) });

/** A level holding checkpoints up to `newest`; it answers at once and counts what it was asked. */
function level(tier: TierClient['tier'], newest: number | undefined) {
  const asked: (number | 'latest')[] = [];
  const client = {
    tier,
    asked,
    save: () => undefined,
    newest: (_ctx: Context, done: (id: number | undefined) => void) => done(newest),
    load: (_ctx: Context, id: number | 'latest', done: (chain: readonly StoredCheckpoint[] | undefined) => void) => {
      asked.push(id);
      const wanted = id === 'latest' ? newest : id;
      done(wanted === undefined || newest === undefined || wanted > newest ? undefined : [full(wanted)]);
    },
    onMessage: () => false,
    onTimer: () => false,
  };
  return client as unknown as TierClient & { asked: (number | 'latest')[] };
}

function recoverFrom(levels: readonly TierClient[]): { restored: OperatorImage | undefined; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  let restored: OperatorImage | undefined;
  const ctx = { now: () => 1_000, record: (_k: string, fields: Record<string, unknown>) => records.push(fields), setTimer: () => 0 } as unknown as Context;
  const host = { instance: 'op', hold: () => undefined, release: () => undefined, restore: (_c: Context, i: OperatorImage | undefined) => (restored = i), digest: () => 'd' } as unknown as OperatorHost;
  new LocalRecovery(host, 'multilevel', levels, []).recover(ctx);
  return { restored, records };
}

test('the newest surviving checkpoint wins, whichever level holds it', (t) => {
  const local = level('node-local', 500);
  const pfs = level('site-pfs', 900);
  const { restored, records } = recoverFrom([local, pfs]);
  t.is(restored?.generated, 900);
  t.like(records.find((r) => r.op === 'restore'), { id: 900, tier: 'site-pfs', toStart: false });
  t.deepEqual(local.asked, [], 'the stale level is not read');
});

test('on a tie the faster level serves it; with nothing anywhere the operator starts over', (t) => {
  const local = level('node-local', 700);
  const pfs = level('site-pfs', 700);
  t.like(recoverFrom([local, pfs]).records.find((r) => r.op === 'restore'), { id: 700, tier: 'node-local' });
  t.deepEqual(pfs.asked, []);
  const { restored, records } = recoverFrom([level('node-local', undefined), level('site-pfs', undefined)]);
  t.is(restored, undefined);
  t.like(records.find((r) => r.op === 'restore'), { toStart: true });
});
