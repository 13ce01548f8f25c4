/**
 * The operator kinds' guarantee and its break, on a window: its state is a function of the
 * multiset of events applied (any order, the same state and outputs), one event lost or applied
 * twice changes it, and a duplicate closes the window one event early, leaving the event it lacked
 * in a window of the same name that never fills.
 */
import test from 'ava';
import { produce } from 'immer';
import { sourceLogic, windowLogic } from '../../../src/features/pipeline/actors/kinds.ts';
import type { StreamEvent } from '../../../src/features/pipeline/actors/event.ts';
import { EventIds } from '../../../src/kernel/contract/event-ids.ts';

const ids = EventIds.of(
  [
    { name: 'source', kind: 'source', parallelism: 1, to: 'in', limit: 8 },
    { name: 'recon', kind: 'window', parallelism: 1, from: 'in', to: 'out', window: 4, emitEvery: 2 },
  ],
  100_000_000, // 100 s: room for the 8 events
);
const ctx = { op: 'recon', instance: 'recon-1', index: 0, parallelism: 1, seed: 1, ids };
const source = sourceLogic({ ...ctx, op: 'source', instance: 'source-1' }, { bytes: 100 });
const events = Array.from({ length: 4 }, (_, k) => ({ ...source.generate!(k, 0), key: 0 }));

/** Applies `order` (indices into `events`) to a window of 4 with a preview every 2; the state and the output ids. */
function windowOver(order: readonly number[]) {
  const logic = windowLogic(ctx, { size: 4, emitEvery: 2, outputBytes: 10 });
  const outputs: StreamEvent[] = [];
  let state = logic.initial();
  for (const i of order) state = produce(state, (draft) => logic.apply(draft, events[i]!, 'input', (e) => outputs.push(e)));
  return { state, outputs: outputs.map((e) => `${ids.name(e.id)}:${e.value.join(',')}`) };
}

test('a window\'s state and outputs depend on which events it applied, not on their order', (t) => {
  const inOrder = windowOver([0, 1, 2, 3]);
  t.deepEqual(windowOver([3, 1, 0, 2]), inOrder);
  t.deepEqual(windowOver([2, 3, 1, 0]), inOrder);
  t.is(inOrder.state.closed, 1);
  t.deepEqual(inOrder.state.open, {});
});

test('a lost or duplicated event changes the window\'s state; a duplicate closes it early and strands the missing event', (t) => {
  const inOrder = windowOver([0, 1, 2, 3]);
  t.notDeepEqual(windowOver([0, 1, 2]).state, { ...inOrder.state });
  const duplicated = windowOver([0, 1, 1, 2, 3]);
  t.notDeepEqual(duplicated.state.hash, inOrder.state.hash);
  t.is(duplicated.state.closed, 1, 'closed by the duplicate, before event 3 came');
  t.notDeepEqual(duplicated.outputs.at(-1), inOrder.outputs.at(-1), 'its result is not the true one');
  t.deepEqual(Object.keys(duplicated.state.open), ['0/0'], 'event 3 reopened the window of the same name, which will never fill');
});
