/**
 * The receiver's window (stream/flow-control.ts): what it announces, when it volunteers a window
 * update, and how debloating sizes it.
 */
import test from 'ava';
import { ReceiveWindow, windowBytesOf } from '../../../src/features/pipeline/actors/stream/flow-control.ts';
import { MS, SECOND } from '../../../src/kernel/index.ts';

const KIB = 1024;
/** 10 buffers of 1 KiB: a 10 KiB window. */
const FLOW = { buffers: 10, segmentBytes: KIB };

test('the announced window is what is free: the window less what arrived and is not yet consumed', (t) => {
  const window = new ReceiveWindow(FLOW);
  t.is(window.announce(), 10 * KIB);
  for (let seq = 0; seq < 4; seq++) window.arrived(seq, KIB, 0);
  window.arrived(3, KIB, 0); // a duplicate takes nothing more
  t.is(window.announce(), 6 * KIB);
  window.consumed(0, 0);
  t.is(window.announce(), 7 * KIB);
  // An item larger than what is free fills the window, never below zero.
  window.arrived(4, 20 * KIB, 0);
  t.is(window.announce(), 0);
});

test('no window update while the sender has more than half the window to send into; one once consuming opens a closed window', (t) => {
  const window = new ReceiveWindow(FLOW);
  for (let seq = 0; seq < 4; seq++) window.arrived(seq, KIB, 0);
  window.announce();
  // Offered 6 KiB of 10: a consumer keeping up costs no extra message.
  t.false(window.consumed(0, 0));
  for (let seq = 4; seq < 11; seq++) window.arrived(seq, KIB, 0);
  t.is(window.announce(), 0);
  // Closed: the first consumed KiB is below an MSS (silly-window avoidance), the second opens 2 KiB.
  t.false(window.consumed(1, 0));
  t.true(window.consumed(2, 0));
  t.false(window.consumed(99, 0), 'a position it never held frees nothing');
});

test('an item larger than the whole window: its arrival announces a closed window, its consumption one update opening all of it', (t) => {
  // aps-xray's 8 MiB projections through 320 KiB windows: two acknowledgements per item. Linux
  // sends both — the item's full segments are acknowledged as they arrive, and a read that reopens
  // a window announced closed is announced at once (tcp_cleanup_rbuf) — and Flink announces credit
  // per recycled buffer, more often still: the second one is not extra.
  const window = new ReceiveWindow(FLOW);
  window.arrived(0, 800 * KIB, 0);
  t.is(window.announce(), 0);
  t.true(window.consumed(0, 0));
  t.is(window.announce(), 10 * KIB);
  window.arrived(1, 800 * KIB, 0);
  t.is(window.announce(), 0, 'the next item closes it again');
});

test('a reset (new epoch, restore) offers the whole window again', (t) => {
  const window = new ReceiveWindow(FLOW);
  for (let seq = 0; seq < 10; seq++) window.arrived(seq, KIB, 0);
  t.is(window.announce(), 0);
  window.reset();
  t.is(window.announce(), windowBytesOf(FLOW));
  t.false(window.consumed(0, 0), 'what it held before the reset is forgotten');
});

test('debloating sizes the window to the target time of the measured throughput, within its bounds', (t) => {
  // 1 KiB consumed every 100 ms: 10 KiB/s, so a 400 ms target wants a 4 KiB window.
  const window = new ReceiveWindow({ ...FLOW, debloatTargetUs: 400 * MS });
  let now = 0;
  for (let seq = 0; seq < 50; seq++) {
    window.arrived(seq, KIB, now);
    now += 100 * MS;
    window.consumed(seq, now);
  }
  t.is(window.size, 4 * KIB);
  // The least it shrinks to is one minimum segment (256 B) per buffer.
  const slow = new ReceiveWindow({ ...FLOW, debloatTargetUs: MS });
  for (let seq = 0; seq < 50; seq++) {
    slow.arrived(seq, 1, now);
    now += SECOND;
    slow.consumed(seq, now);
  }
  t.is(slow.size, 10 * 256);
  // And the most is the configured window.
  const fast = new ReceiveWindow({ ...FLOW, debloatTargetUs: 60 * SECOND });
  for (let seq = 0; seq < 50; seq++) {
    fast.arrived(seq, KIB, now);
    now += 100 * MS;
    fast.consumed(seq, now);
  }
  t.is(fast.size, 10 * KIB);
});

test('debloating measures throughput while there is work: idle spells between bursts do not shrink the window', (t) => {
  // 1 KiB consumed every 100 ms (10 KiB/s, so 4 KiB for a 400 ms target), in bursts of 4 with 30 s of nothing between.
  const window = new ReceiveWindow({ ...FLOW, debloatTargetUs: 400 * MS });
  let now = 0;
  for (let seq = 0; seq < 200; seq++) {
    if (seq % 4 === 0) now += 30 * SECOND;
    window.arrived(seq, KIB, now);
    now += 100 * MS;
    window.consumed(seq, now);
  }
  t.is(window.size, 4 * KIB);
  // A reset starts measuring over: the time before it is not a period.
  window.reset();
  now += 60 * SECOND;
  window.arrived(200, KIB, now);
  now += 100 * MS;
  window.consumed(200, now);
  t.is(window.size, 4 * KIB);
});
