/**
 * The input queue's guarantee: the next item is the oldest on a channel not blocked, blocking
 * holds a channel's items back without losing or reordering them, and taking from the head keeps
 * arrival order across its compactions. Its break is alignment's: with every channel that has
 * items blocked, nothing comes out.
 */
import test from 'ava';
import { InputQueue, type QueuedItem } from '../../../src/features/pipeline/actors/input-queue.ts';

const event = (channel: string, position: number): QueuedItem => ({ channel, position, arrivedUs: position, event: { id: position, key: 0, root: position, bornUs: 0, bytes: 1, value: [] } });
const marker = (channel: string, position: number): QueuedItem => ({ channel, position, arrivedUs: position, marker: { kind: 'barrier', id: 1, completed: 0 } });

/** Takes what `peek` offers until it offers nothing: `channel:position` in the order taken. */
function drain(queue: InputQueue): string[] {
  const taken: string[] = [];
  for (let next = queue.peek(); next !== undefined; next = queue.peek()) {
    const item = queue.take(next.index);
    taken.push(`${item.channel}:${item.position}`);
  }
  return taken;
}

test('a blocked channel is passed over, in order, and its items come out in order once unblocked; all blocked, nothing comes out', (t) => {
  const queue = new InputQueue();
  for (const item of [event('a', 0), marker('a', 1), event('b', 0), event('a', 2), event('b', 1)]) queue.push(item);
  queue.block('a');
  t.deepEqual(drain(queue), ['b:0', 'b:1']);
  queue.block('b');
  queue.push(event('b', 2));
  t.is(queue.peek(), undefined, 'every channel with items is blocked: alignment waits');
  t.is(queue.length, 4);
  t.deepEqual(queue.pendingEvents().map((p) => `${p.channel}:${p.position}`), ['a:0', 'a:2', 'b:2'], 'markers are not channel state');
  queue.unblockAll();
  t.deepEqual(drain(queue), ['a:0', 'a:1', 'a:2', 'b:2']);
});

test('taking thousands from the head keeps arrival order and the count through the compactions', (t) => {
  const queue = new InputQueue();
  for (let i = 0; i < 5000; i++) queue.push(event(i % 3 === 0 ? 'a' : 'b', i));
  const taken: number[] = [];
  for (let i = 0; i < 3000; i++) taken.push(queue.take(queue.peek()!.index).position);
  t.is(queue.length, 2000);
  t.true(queue.indexOf('b', 4999) >= 0);
  for (const item of drain(queue)) taken.push(Number(item.split(':')[1]));
  t.deepEqual(taken, Array.from({ length: 5000 }, (_, i) => i));
});
