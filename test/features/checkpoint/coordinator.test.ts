/**
 * The checkpoint coordinator's guarantee (coordinator.ts): nothing of an epoch leaves before the
 * epoch is durable; and its uncoordinated histories: a checkpoint reported late is still a
 * candidate, one its last line abandoned is not. Driven by hand with a context whose fsyncs complete only when the test says,
 * so a `hello` can arrive while a round — or the line it chose — is still being written.
 */
import test from 'ava';
import type { Context, Message, Wakeup } from '../../../src/kernel/contract/index.ts';
import { CheckpointCoordinator } from '../../../src/features/checkpoint/actors/coordinator.ts';
import { dalyInterval } from '../../../src/features/checkpoint/actors/interval.ts';

interface Sent {
  to: string;
  message: Message & { epoch?: number };
}

/** `config`: what differs from an uncoordinated pair checkpointing every minute; `records`: what the coordinator records. */
function harness(config: Partial<ConstructorParameters<typeof CheckpointCoordinator>[0]> = {}) {
  const sent: Sent[] = [];
  const records: { t: number; kind: string; data: Record<string, unknown> }[] = [];
  const fsyncs: Wakeup[] = [];
  const files = new Map<string, unknown>();
  /** Armed timers by id: when each fires, and its wakeup. */
  const timers = new Map<number, { at: number; wakeup: Wakeup }>();
  let timer = 0;
  const clock = { us: 1_000_000 };
  const ctx = {
    now: () => clock.us,
    send: (to: string, message: Message) => void sent.push({ to, message }),
    setTimer: (delay: number, name: string, data?: unknown) => (timers.set(++timer, { at: clock.us + delay, wakeup: { name, data } as Wakeup }), timer),
    cancelTimer: (id: number) => void timers.delete(id),
    record: (kind: string, data: Record<string, unknown>) => void records.push({ t: clock.us, kind, data }),
    disk: {
      put: (file: string, value: unknown) => (files.set(file, value), true),
      get: (file: string) => files.get(file),
      fsync: (done?: Wakeup) => void (done !== undefined && fsyncs.push(done)),
    },
  } as unknown as Context;
  const make = () =>
    new CheckpointCoordinator({
      strategy: 'uncoordinated',
      instances: ['a', 'b'],
      triggerTargets: ['a'],
      channels: [{ sender: 'a', receiver: 'b', out: 'x>b', in: 'x<a' }],
      interval: { kind: 'time', us: 60_000_000 } as never,
      requestTimeoutUs: 2_000_000,
      checkpointTimeoutUs: 60_000_000,
      ...config,
    });
  let coordinator = make();
  coordinator.start(ctx);
  /**
   * The coordinator's process crashes and a fresh one recovers from what is on disk, each file
   * read back as emulation reads it: a JSON line (exec/emulate/real-disk.ts). Unsynced fsyncs are lost.
   */
  const restart = () => {
    fsyncs.length = 0;
    timers.clear();
    for (const [file, value] of files) files.set(file, JSON.parse(JSON.stringify(value)));
    coordinator = make();
    coordinator.recover(ctx);
  };
  /** Completes every fsync issued so far. */
  const durable = () => {
    for (const wakeup of fsyncs.splice(0)) coordinator.onTimer(ctx, wakeup);
  };
  /** Moves the clock to `us`, firing the timers due by then in time order (ties by arming order). */
  const advance = (us: number) => {
    for (;;) {
      const due = [...timers].filter(([, armed]) => armed.at <= us).sort(([a, x], [b, y]) => x.at - y.at || a - b)[0];
      if (due === undefined) break;
      timers.delete(due[0]);
      clock.us = due[1].at;
      coordinator.onTimer(ctx, due[1].wakeup);
    }
    clock.us = us;
  };
  return {
    sent,
    records,
    ctx,
    timers,
    get coordinator() {
      return coordinator;
    },
    durable,
    clock,
    advance,
    restart,
  };
}

test('coordinator: a hello while the new round is being written gets nothing of its epoch until the round is on disk', (t) => {
  const { sent, ctx, coordinator, durable } = harness();
  coordinator.onMessage(ctx, { type: 'ckpt:hello' }, 'a');
  coordinator.onMessage(ctx, { type: 'ckpt:hello' }, 'b');
  t.deepEqual(sent.filter((s) => s.message.epoch === 1), [], 'no report of epoch 1 before it is durable');
  durable();
  const reports = sent.filter((s) => s.message.type === 'ckpt:report' && s.message.epoch === 1);
  t.deepEqual(reports.map((s) => s.to).sort(), ['a', 'b'], 'the round\'s first stops ask both');
  t.deepEqual((reports.find((s) => s.to === 'a')!.message as unknown as { restarted: string[] }).restarted.sort(), ['a', 'b'], 'and name both restarts');
});

test('coordinator: a hello while the chosen line is being written gets its rollback with everyone\'s, after the write', (t) => {
  const { sent, ctx, coordinator, durable } = harness();
  coordinator.onMessage(ctx, { type: 'ckpt:hello' }, 'a');
  durable();
  // a restarted (no present state); b stops, then captures its present state.
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch: 1, phase: 'stop', none: true } as Message, 'a');
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch: 1, phase: 'stop' } as Message, 'b');
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch: 1, phase: 'capture', id: 900_000, inputs: {}, outputs: {} } as Message, 'b');
  // The line is chosen and being written; a's hello (sent again) arrives now.
  coordinator.onMessage(ctx, { type: 'ckpt:hello' }, 'a');
  t.deepEqual(sent.filter((s) => s.message.type === 'ckpt:rollback'), [], 'no rollback before the line is durable');
  durable();
  const rollbacks = sent.filter((s) => s.message.type === 'ckpt:rollback');
  t.deepEqual(rollbacks.map((s) => s.to).sort(), ['a', 'b']);
});

/** One uncoordinated round: a restarted with no present state, b stopped and captured as `present`; the line's rollbacks. */
function round(h: ReturnType<typeof harness>, epoch: number, present: { id: number; inputs: Record<string, number> }): Map<string, number> {
  const { sent, ctx, coordinator, durable } = h;
  sent.length = 0;
  coordinator.onMessage(ctx, { type: 'ckpt:hello' }, 'a');
  durable();
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch, phase: 'stop', none: true } as Message, 'a');
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch, phase: 'stop' } as Message, 'b');
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch, phase: 'capture', id: present.id, inputs: present.inputs, outputs: {} } as Message, 'b');
  durable();
  return new Map(sent.filter((s) => s.message.type === 'ckpt:rollback').map((s) => [s.to, (s.message as unknown as { target: number }).target]));
}

const meta = (id: number, epoch: number, inputs: Record<string, number>, outputs: Record<string, number>) => ({ type: 'ckpt:meta', id, epoch, inputs, outputs }) as Message;

test('coordinator: a checkpoint whose report arrives after a round opened is still a candidate; one taken after the last line\'s target and before it was chosen is not', (t) => {
  const h = harness();
  const { ctx, coordinator, durable, clock } = h;
  // a sent b one message before its checkpoint at 0.85 s; b's checkpoint at 0.9 s holds it.
  coordinator.onMessage(ctx, meta(850_000, 0, {}, { 'x>b': 1 }), 'a');
  durable();
  clock.us = 1_000_000;
  coordinator.onMessage(ctx, { type: 'ckpt:hello' }, 'a');
  // b's report of 0.9 s was still travelling when a's hello opened the round.
  coordinator.onMessage(ctx, meta(900_000, 0, { 'x<a': 1 }, {}), 'b');
  durable();
  // b's present state holds a second message of a's, which a's checkpoint never sent: b goes back to 0.9 s, not to the start.
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch: 1, phase: 'stop', none: true } as Message, 'a');
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch: 1, phase: 'stop' } as Message, 'b');
  h.sent.length = 0;
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch: 1, phase: 'capture', id: 1_000_000, inputs: { 'x<a': 2 }, outputs: {} } as Message, 'b');
  durable();
  const first = new Map(h.sent.filter((s) => s.message.type === 'ckpt:rollback').map((s) => [s.to, (s.message as unknown as { target: number }).target]));
  t.deepEqual(Object.fromEntries(first), { a: 850_000, b: 900_000 });
  for (const who of ['a', 'b']) coordinator.onMessage(ctx, { type: 'ckpt:restored', epoch: 1, ok: true } as Message, who);
  durable();
  // A report of b's from before that line (0.95 s, of epoch 0, past its target 0.9 s): that history was abandoned.
  clock.us = 2_000_000;
  coordinator.onMessage(ctx, meta(950_000, 0, { 'x<a': 1 }, {}), 'b');
  durable();
  // The next round: b's present state again holds a message a's checkpoint never sent; 0.95 s is no candidate.
  const second = round(h, 2, { id: 2_000_000, inputs: { 'x<a': 2 } });
  t.deepEqual(Object.fromEntries(second), { a: 850_000, b: 900_000 });
});

test('coordinator: an uncoordinated round re-sends its rollbacks once per request timeout, not once per retry timer it armed', (t) => {
  const h = harness();
  const { sent, clock, advance } = h;
  // The round asks (its retry timer armed), then issues the line: one timer must remain, not two.
  const targets = round(h, 1, { id: 900_000, inputs: {} });
  t.deepEqual([...targets.keys()].sort(), ['a', 'b']);
  const issuedAt = clock.us;
  sent.length = 0;
  // Nobody restores: over three request timeouts each operator gets its rollback again three times.
  advance(issuedAt + 3 * 2_000_000);
  const again = sent.filter((s) => s.message.type === 'ckpt:rollback');
  t.deepEqual(again.filter((s) => s.to === 'a').length, 3, 'one re-send per request timeout');
  t.deepEqual(again.filter((s) => s.to === 'b').length, 3);
});

test('coordinator: a round superseded or done leaves no retry timer armed; only the live round keeps one', (t) => {
  const h = harness();
  const { ctx, coordinator, durable, timers } = h;
  const retries = () => [...timers.values()].filter(({ wakeup }) => wakeup.name === 'coord:rollback-retry').map(({ wakeup }) => wakeup.data);
  round(h, 1, { id: 900_000, inputs: {} });
  t.deepEqual(retries(), [1], 'the issued round waits on one timer');
  // a restores, then crashes again: its hello opens round 2, which supersedes round 1 at once.
  coordinator.onMessage(ctx, { type: 'ckpt:restored', epoch: 1, ok: true } as Message, 'a');
  coordinator.onMessage(ctx, { type: 'ckpt:hello' }, 'a');
  t.deepEqual(retries(), [], 'round 1 stopped re-asking when round 2 opened');
  durable();
  t.deepEqual(retries(), [2], 'round 2 asks on its own timer');
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch: 2, phase: 'stop', none: true } as Message, 'a');
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch: 2, phase: 'stop' } as Message, 'b');
  coordinator.onMessage(ctx, { type: 'ckpt:current', epoch: 2, phase: 'capture', id: 950_000, inputs: {}, outputs: {} } as Message, 'b');
  durable();
  for (const who of ['a', 'b']) coordinator.onMessage(ctx, { type: 'ckpt:restored', epoch: 2, ok: true } as Message, who);
  t.deepEqual(retries(), [], 'a closed round re-asks no one');
});

/** a sent b one message before its checkpoint at 0.85 s; b's checkpoint at 0.9 s holds it (both of epoch 0, on disk). */
function withTwoCheckpoints(): ReturnType<typeof harness> {
  const h = harness();
  h.coordinator.onMessage(h.ctx, meta(850_000, 0, {}, { 'x>b': 1 }), 'a');
  h.coordinator.onMessage(h.ctx, meta(900_000, 0, { 'x<a': 1 }, {}), 'b');
  h.durable();
  return h;
}

test('coordinator: a checkpoint captured after a round to the start was chosen, before its rollback arrived, is of the abandoned history', (t) => {
  const h = withTwoCheckpoints();
  const { ctx, coordinator, durable, clock } = h;
  // Round 1: b keeps its present state (1 s); a's target is gone from its tier, so round 2 goes to the start, chosen at 1.5 s.
  const first = round(h, 1, { id: 1_000_000, inputs: { 'x<a': 1 } });
  t.deepEqual(Object.fromEntries(first), { a: 850_000, b: 1_000_000 });
  coordinator.onMessage(ctx, { type: 'ckpt:restored', epoch: 1, ok: true } as Message, 'b');
  clock.us = 1_500_000;
  coordinator.onMessage(ctx, { type: 'ckpt:restored', epoch: 1, ok: false } as Message, 'a');
  durable();
  // b, still in epoch 1 — its rollback to the start not there yet — captures a checkpoint at 1.6 s and reports it.
  clock.us = 1_600_000;
  coordinator.onMessage(ctx, meta(1_600_000, 1, {}, {}), 'b');
  durable();
  for (const who of ['a', 'b']) coordinator.onMessage(ctx, { type: 'ckpt:restored', epoch: 2, ok: true } as Message, who);
  durable();
  // Round 3: b's present state holds a message of a's that a's start never sent; 1.6 s (epoch 1, above the start) is no candidate.
  clock.us = 3_000_000;
  const third = round(h, 3, { id: 3_000_000, inputs: { 'x<a': 1 } });
  t.deepEqual(Object.fromEntries(third), { a: 0, b: 0 });
});

test('coordinator: a report of an epoch older than two lines is refused above the lower of their targets, whatever order it arrives in', (t) => {
  const h = withTwoCheckpoints();
  const { ctx, coordinator, durable, clock } = h;
  // Line 1 sends b back to 0.9 s; b enters epoch 1; line 2 keeps b's present state (3 s), above 0.95 s.
  t.deepEqual(Object.fromEntries(round(h, 1, { id: 1_000_000, inputs: { 'x<a': 2 } })), { a: 850_000, b: 900_000 });
  for (const who of ['a', 'b']) coordinator.onMessage(ctx, { type: 'ckpt:restored', epoch: 1, ok: true } as Message, who);
  durable();
  clock.us = 3_000_000;
  t.deepEqual(Object.fromEntries(round(h, 2, { id: 3_000_000, inputs: { 'x<a': 1 } })), { a: 850_000, b: 3_000_000 });
  for (const who of ['a', 'b']) coordinator.onMessage(ctx, { type: 'ckpt:restored', epoch: 2, ok: true } as Message, who);
  durable();
  // A copy of a report b sent in epoch 0 at 0.95 s, held back in the network, arrives only now: line 1 abandoned it, though line 2's target is above it.
  clock.us = 4_000_000;
  coordinator.onMessage(ctx, meta(950_000, 0, { 'x<a': 1 }, {}), 'b');
  durable();
  // Round 3: b's present state holds a second message a's checkpoint never sent, so b goes back to its newest candidate with one: 0.9 s, not 0.95 s.
  clock.us = 5_000_000;
  t.deepEqual(Object.fromEntries(round(h, 3, { id: 5_000_000, inputs: { 'x<a': 2 } })), { a: 850_000, b: 900_000 });
});

test('coordinator: its disk image comes back whole through JSON (emulation), histories and the lines that cut them', (t) => {
  const h = withTwoCheckpoints();
  const { ctx, durable, clock } = h;
  t.deepEqual(Object.fromEntries(round(h, 1, { id: 1_000_000, inputs: { 'x<a': 2 } })), { a: 850_000, b: 900_000 });
  for (const who of ['a', 'b']) h.coordinator.onMessage(ctx, { type: 'ckpt:restored', epoch: 1, ok: true } as Message, who);
  durable();
  h.restart();
  // Line 1's cut came back: b's report of epoch 0 above its target is refused; the histories came back: the next line finds 0.85 s and 0.9 s.
  clock.us = 2_000_000;
  h.coordinator.onMessage(ctx, meta(950_000, 0, { 'x<a': 1 }, {}), 'b');
  durable();
  t.deepEqual(Object.fromEntries(round(h, 2, { id: 2_000_000, inputs: { 'x<a': 2 } })), { a: 850_000, b: 900_000 });
});

/**
 * A coordinated coordinator of two operators on an adaptive interval (M = 1 min), with `run(from, to)`:
 * each second from `from` to `to`, its own writes complete, its timers due by then fire, then `each(s)`.
 */
function adaptiveCoordinator(checkpointTimeoutUs: number) {
  const h = harness({
    strategy: 'coordinated',
    triggerTargets: [],
    channels: [],
    interval: { kind: 'adaptive', mtbfUs: 60_000_000, minUs: 1_000_000, maxUs: 36_000_000_000 },
    checkpointTimeoutUs,
  });
  const run = (from: number, to: number, each: (s: number) => void = () => {}) => {
    for (let s = from; s <= to; s++) {
      h.durable();
      h.advance(s * 1_000_000);
      each(s);
    }
  };
  return Object.assign(h, { run });
}

test('coordinator: a coordinated checkpoint cut short teaches the adaptive interval its cost — with δ ≥ 2M the next is M later, not √(2M·1 s)', (t) => {
  // M = 1 min, checkpoints that would take ≈ 150 s (node-local, δ far above 2M): the operators never
  // save, and the 150 s timeout aborts each. Until one completes δ is taken as 1 s, so without what
  // the abort says (δ ≥ 150 s) the next would come √(2 · 1 s · 1 min) ≈ 10.3 s after it, for ever.
  const h = adaptiveCoordinator(150_000_000);
  h.run(2, 600);
  const ckpt = h.records.filter((r) => r.kind === 'ckpt').map((r) => [r.data['op'], r.t / 1_000_000]);
  const triggers = ckpt.filter(([op]) => op === 'trigger').map(([, at]) => at as number);
  const aborts = ckpt.filter(([op]) => op === 'aborted').map(([, at]) => at as number);
  t.true(aborts.length >= 2, JSON.stringify(ckpt));
  // After each abort, the next trigger waits Daly's τ = M (its write made durable within the next second).
  for (const [i, abortedAt] of aborts.entries()) {
    const next = triggers[i + 1];
    if (next === undefined) continue;
    t.true(next - abortedAt >= 60 && next - abortedAt <= 61, `trigger ${next} s after the abort at ${abortedAt} s: ${JSON.stringify(ckpt)}`);
  }
  // Spacing between triggers: 150 s + 60 s, well past √(2M·1 s) + 150 s.
  t.true(triggers.length >= 3 && triggers[2]! - triggers[1]! >= 210, JSON.stringify(ckpt));
});

test('coordinator: a restarted coordinator keeps what its adaptive interval learnt of the cost — its next checkpoint is M after the restart, not √(2M·1 s)', (t) => {
  // As above (M = 1 min, checkpoints the 150 s timeout aborts): the first abort teaches δ ≥ 150 s,
  // the next trigger's write carries it; then the coordinator's process crashes and restarts.
  const h = adaptiveCoordinator(150_000_000);
  h.run(2, 240);
  const before = h.records.filter((r) => r.kind === 'ckpt').map((r) => [r.data['op'], r.t / 1_000_000] as const);
  const secondTrigger = before.filter(([op]) => op === 'trigger')[1]?.[1];
  t.true(before.some(([op]) => op === 'aborted') && secondTrigger !== undefined && secondTrigger < 240, JSON.stringify(before));
  h.restart();
  const restartedAt = h.clock.us / 1_000_000;
  h.run(241, 400);
  const after = h.records.filter((r) => r.kind === 'ckpt' && r.data['op'] === 'trigger' && r.t / 1_000_000 > restartedAt).map((r) => r.t / 1_000_000);
  // Forgetting the cost (δ = 1 s again) would trigger ≈ 10.3 s after the restart.
  t.true(after.length > 0 && after[0]! - restartedAt >= 60 && after[0]! - restartedAt <= 61, `restarted at ${restartedAt} s, triggers after: ${JSON.stringify(after)}`);
});

test('coordinator: a restarted coordinator keeps the cost of the checkpoints that completed — its next is Daly\'s τ for that δ after the restart', (t) => {
  // M = 1 min; every operator saves 100 s after the trigger, so each global checkpoint completes
  // with δ ≈ 100 s (< 2M): Daly's τ ≈ 53 s. Forgetting it (δ = 1 s again) gives ≈ 10.3 s.
  const h = adaptiveCoordinator(600_000_000);
  const saveAfterUs = 100_000_000;
  // Each operator's `saved` for every trigger `saveAfterUs` old by now (the first time only).
  const save = (s: number) => {
    for (const r of h.records) {
      if (r.kind !== 'ckpt' || r.data['op'] !== 'trigger' || r.t + saveAfterUs !== s * 1_000_000) continue;
      for (const instance of ['a', 'b']) h.coordinator.onMessage(h.ctx, { type: 'ckpt:saved', id: r.data['id'], epoch: r.data['epoch'] } as Message, instance);
    }
  };
  h.run(2, 200, save);
  const ops = h.records.filter((r) => r.kind === 'ckpt').map((r) => [r.data['op'], r.t / 1_000_000] as const);
  const completedAt = ops.find(([op]) => op === 'complete')?.[1];
  const secondTrigger = ops.filter(([op]) => op === 'trigger')[1]?.[1];
  t.true(completedAt !== undefined && secondTrigger !== undefined && secondTrigger < 200, JSON.stringify(ops));
  h.restart();
  const restartedAt = h.clock.us / 1_000_000;
  h.run(201, 400, save);
  const after = h.records.filter((r) => r.kind === 'ckpt' && r.data['op'] === 'trigger' && r.t / 1_000_000 > restartedAt).map((r) => r.t / 1_000_000);
  const tau = dalyInterval(100, 60);
  t.true(tau > 50 && tau < 56, `Daly's τ ${tau}`);
  t.true(after.length > 0 && Math.abs(after[0]! - restartedAt - tau) <= 2, `restarted at ${restartedAt} s, τ ${tau.toFixed(1)} s, triggers after: ${JSON.stringify(after)}`);
});
