/**
 * Global recovery (none, coordinated, barrier-snapshot, uncoordinated), one of the two ways an
 * operator recovers (recovery.ts): a restarted operator says `hello` to the coordinator (re-sent
 * until answered) and waits. The coordinator answers every operator — survivors too — with
 * `rollback(epoch, target)`; each abandons what it was doing, restores `target` (0: the initial
 * state), enters the new epoch (data of older epochs is discarded by the transport), reports
 * `restored`, and stays held until `resume(epoch)` — taking no checkpoint meanwhile.
 *
 * Uncoordinated, before the rollback, the coordinator asks every operator for its present state
 * (`report`), in two phases. `stop`: a running (or restored, not yet resumed) operator stops —
 * held for `recovery` from then on — and answers once the event in service has ended and everything
 * it sent has been acknowledged by its receivers, but those the coordinator names as restarted
 * (their channels' beginnings died with them: they acknowledge nothing more of them), at most a
 * request timeout (a receiver whose node is down never answers); a restarted operator, or one
 * reading a checkpoint, has no present state and says so. The coordinator hears of a restart as a
 * real job manager does, from the restarted process itself — its `hello`, said as soon as it is
 * back, or its answer that it has no present state — and at once sends `stop` again, naming it, to
 * every operator still stopping, which adds it to the receivers it does not wait for. Guarantee: a
 * survivor waits for a receiver that restarted during the round no longer than that receiver's
 * hello takes to reach the coordinator and the new `stop` to reach the survivor. How it breaks: a
 * receiver that is down (its node not back yet), or whose hello is lost, is heard of by nobody and
 * is waited for up to one request timeout. No failure detector, by design: nothing answers for a
 * dead host (kernel/contract/disconnect.ts: silence, as TCP gives; only a process dead on a live
 * host is refused), so a detector would be a timeout too; and the round needs that receiver's own
 * answer, which comes only once it is back, when its hello ends the wait — the line follows its
 * return within a few round trips, down for less or more than a request timeout
 * (test/literature/snapshots-and-domino.test.ts). A detector would pay only in another protocol,
 * one that takes a silent operator for stateless and lets survivors restore while it is down.
 * `capture`, once every operator has stopped: it captures its image (its queue included: that is
 * the channel state), records it (`ckpt` `current`, with its channel counters) and answers with
 * the counters. So no message is in flight between two survivors' present states. A rollback with `current` then keeps that image: the operator reopens its channels in
 * the new epoch from it, pays no restart and reads nothing (`ckpt` `keep`). Items that arrived
 * after the capture (only from an operator without a present state, or one waited for in vain)
 * are dropped with the old epoch — their senders had counted them sent, so the line sent those
 * senders back to before them, and they are sent again.
 *
 * Restart cost: as recovery.ts states it, paid when the rollback comes.
 *
 * Guarantee: an operator under global recovery never processes an event of the new epoch before
 * every operator has restored into it. How it breaks: if the coordinator is down, restarted
 * operators wait for it (the coordinator is the single point of failure of global strategies);
 * a target the tier lost (node-local memory after a node crash) is reported `ok: false`, and the
 * coordinator falls back to the initial state for everyone.
 */
import type { Context, Message, Wakeup } from '../../../kernel/contract/index.ts';
import { assert, MS, type Micros } from '../../../kernel/contract/index.ts';
import type { CheckpointConfig } from './config.ts';
import type { OperatorHost } from './host.ts';
import { materialize, type OperatorImage, type StoredCheckpoint } from './image.ts';
import type { Current, Hello, Report, Restored, Rollback } from './messages.ts';
import type { Part } from './participant.ts';
import { recordRestore, type EpochCell } from './recovery.ts';
import type { TierClient } from './tiers.ts';
import type { CheckpointWriter } from './writer.ts';

/** `stopped`: it reported its present state (uncoordinated) and holds it until the rollback. */
type GlobalState = 'running' | 'awaiting-rollback' | 'stopped' | 'restoring' | 'restored';

/** A present state reported for a round: the id it was given (its capture time) and the image. */
interface Present {
  readonly epoch: number;
  readonly id: number;
  readonly image: OperatorImage;
}

/**
 * A stopped operator waiting for its outputs to arrive: its round, until when, and whose channels
 * not to wait for (growing as the coordinator hears of more restarts).
 */
interface Drain {
  readonly epoch: number;
  readonly deadline: number;
  readonly restarted: Set<string>;
}

/** How often a stopped operator looks whether its outputs have all arrived (direct channels acknowledge within 40 ms). */
const DRAIN_POLL_US = 5 * MS;

export class GlobalRecovery implements Part {
  private state: GlobalState = 'running';
  /** The read a rollback starts once its restart time has passed. */
  private restarting: (() => void) | undefined;
  /** Uncoordinated: the present state reported for the newest round that asked (captured once the operator was idle). */
  private present: Present | undefined;
  /** The `stop` it is carrying out (waiting for the event in service to end, or its outputs to arrive). */
  private draining: Drain | undefined;
  /** The round it answered `stop` to: stopped, its outputs delivered. */
  private stoppedIn: number | undefined;
  /** The newest epoch whose round asked for the present state: a rollback of an older one is stale. */
  private asked = 0;
  /**
   * This incarnation's relaunch after a crash: `due` until its first rollback starts it, then when
   * it ends. A process that never crashed (a survivor) has none and pays no restart.
   */
  private relaunch: 'due' | Micros | undefined;

  constructor(
    private readonly host: OperatorHost,
    private readonly strategy: string,
    private readonly config: CheckpointConfig,
    private readonly tier: TierClient,
    private readonly writer: CheckpointWriter | undefined,
    private readonly cell: EpochCell,
    /** Tells the other parts to abandon what they had in progress. */
    private readonly abandon: (ctx: Context) => void,
  ) {}

  recover(ctx: Context): void {
    this.host.hold(ctx, 'recovery');
    this.state = 'awaiting-rollback';
    this.relaunch = 'due';
    this.hello(ctx);
  }

  onMessage(ctx: Context, message: Message): boolean {
    if (message.type === 'ckpt:rollback') {
      this.rollback(ctx, message as Rollback);
      return true;
    }
    if (message.type === 'ckpt:report') {
      const report = message as Report;
      this.report(ctx, report.epoch, report.phase, new Set(report.restarted));
      return true;
    }
    if (message.type === 'ckpt:resume') {
      const { epoch } = message as Message & { epoch: number };
      if (epoch === this.cell.epoch && this.state === 'restored') {
        this.state = 'running';
        this.host.release(ctx, 'recovery');
      }
      return true;
    }
    return false;
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    if (wakeup.name === 'ckpt:hello') {
      if (this.state === 'awaiting-rollback') this.hello(ctx);
      return true;
    }
    if (wakeup.name === 'ckpt:restored') {
      if (this.state === 'restored' && wakeup.data === this.cell.epoch) this.reportRestored(ctx, true);
      return true;
    }
    if (wakeup.name === 'ckpt:drain') {
      this.drain(ctx, wakeup.data as Drain);
      return true;
    }
    if (wakeup.name === 'ckpt:restart') {
      // The restart of a rollback a newer one has overtaken is void.
      const read = this.restarting;
      if (read !== undefined && this.state === 'restoring' && wakeup.data === this.cell.epoch) {
        this.restarting = undefined;
        read();
      }
      return true;
    }
    return false;
  }

  private hello(ctx: Context): void {
    ctx.send<Hello>(this.config.coordinator, { type: 'ckpt:hello' });
    ctx.setTimer(this.config.requestTimeoutUs, 'ckpt:hello');
  }

  /** Uncoordinated: a round of `epoch` asks for the present state, in two phases (see the header). */
  private report(ctx: Context, epoch: number, phase: Report['phase'], restarted: ReadonlySet<string>): void {
    if (epoch <= this.cell.epoch || epoch < this.asked) return;
    this.asked = epoch;
    const none = () => ctx.send<Current>(this.config.coordinator, { type: 'ckpt:current', epoch, phase, none: true });
    if (phase === 'capture') {
      // Its answer was lost: the same state again.
      if (this.present?.epoch === epoch) return this.sendPresent(ctx, this.present);
      // Stopped and drained for this round (else it crashed since, and its state is gone).
      if (this.state !== 'stopped' || this.stoppedIn !== epoch) return none();
      const { image } = this.host.capture({ pending: true });
      // Ids of independent checkpoints are capture times; this one is a candidate among them.
      const present: Present = { epoch, id: ctx.now(), image };
      this.present = present;
      const conserved = this.host.conserved(image);
      ctx.record('ckpt', { op: 'current', strategy: this.strategy, id: present.id, epoch, inputs: image.inputs, outputs: image.outputs, pending: image.pending.length, ...(conserved === undefined ? {} : { conserved }), digest: this.host.digest(image.state) });
      return this.sendPresent(ctx, present);
    }
    if (this.stoppedIn === epoch) return ctx.send<Current>(this.config.coordinator, { type: 'ckpt:current', epoch, phase });
    // A restarted operator's state is gone; one reading a checkpoint has abandoned its own.
    if (this.state === 'awaiting-rollback' || this.state === 'restoring') return none();
    // The coordinator heard of more restarts: their channels are not waited for either (the next poll sees it).
    if (this.draining?.epoch === epoch) {
      for (const instance of restarted) this.draining.restarted.add(instance);
      return;
    }
    if (this.state === 'running') this.host.hold(ctx, 'recovery');
    this.state = 'stopped';
    const wait: Drain = { epoch, deadline: ctx.now() + this.config.requestTimeoutUs, restarted: new Set(restarted) };
    this.draining = wait;
    this.host.whenIdle(ctx, () => {
      // Its receivers are stopped too and open no window: what waits for credit goes now.
      this.host.releaseOutputs?.(ctx);
      this.drain(ctx, wait);
    });
  }

  /**
   * Stopped: answers `stop` once everything it sent has arrived, so that no message is in flight
   * between two stopped survivors when they capture. A receiver that does not acknowledge (its node
   * is down) is waited for one request timeout at most; what it has not received then counts as in
   * transit, and the line sends this operator back past it.
   */
  private drain(ctx: Context, wait: Drain): void {
    const { epoch, deadline, restarted } = wait;
    if (this.draining !== wait || this.state !== 'stopped') return;
    if (!(this.host.outputsDelivered?.(restarted) ?? true) && ctx.now() < deadline) {
      ctx.setTimer(DRAIN_POLL_US, 'ckpt:drain', wait);
      return;
    }
    this.draining = undefined;
    this.stoppedIn = epoch;
    ctx.send<Current>(this.config.coordinator, { type: 'ckpt:current', epoch, phase: 'stop' });
  }

  private sendPresent(ctx: Context, present: Present): void {
    ctx.send<Current>(this.config.coordinator, { type: 'ckpt:current', epoch: present.epoch, phase: 'capture', id: present.id, inputs: present.image.inputs, outputs: present.image.outputs });
  }

  private rollback(ctx: Context, message: Rollback): void {
    if (message.epoch <= this.cell.epoch) {
      // A repeated rollback of the epoch we are in: our `restored` was lost.
      if (message.epoch === this.cell.epoch && this.state === 'restored') this.reportRestored(ctx, true);
      return;
    }
    // A restarted coordinator's newer round asked already; this one's rollback was overtaken.
    if (message.epoch < this.asked) return;
    if (message.current === true && (this.present?.epoch !== message.epoch || this.present.id !== message.target)) {
      // It was to keep the state it reported, but it crashed since and restarted without it: its
      // `hello` (said at once) tells the coordinator, which opens a newer round.
      if (this.state === 'awaiting-rollback') this.hello(ctx);
      return;
    }
    if (this.state === 'running') this.host.hold(ctx, 'recovery');
    this.abandon(ctx);
    this.draining = undefined;
    this.stoppedIn = undefined;
    const present = this.present;
    this.present = undefined;
    if (message.current === true) return this.keep(ctx, message, present);
    this.cell.epoch = message.epoch;
    this.state = 'restoring';
    const epoch = message.epoch;
    const startedUs = ctx.now();
    const restore = (chain: readonly StoredCheckpoint[] | undefined) => {
      if (epoch !== this.cell.epoch) return; // a newer rollback overtook this one
      const image = chain === undefined ? undefined : materialize(chain);
      if (message.target !== 0 && image === undefined) {
        this.reportRestored(ctx, false);
        return;
      }
      // The tier answered for the asked id: every operator restores the same cut.
      const restoredId = chain?.[chain.length - 1]?.id ?? 0;
      assert(restoredId === message.target, () => `${this.host.instance}: restores the rollback's target, but got #${restoredId} for target #${message.target} (epoch ${epoch})`);
      this.host.restore(ctx, image, epoch);
      this.writer?.restart();
      recordRestore(ctx, this.host, { strategy: this.strategy, id: message.target, tier: this.tier.tier, image, startedUs, epoch });
      this.state = 'restored';
      this.reportRestored(ctx, true);
    };
    const read = () => (message.target === 0 ? restore(undefined) : this.tier.load(ctx, message.target, restore));
    const relaunchUs = this.relaunchLeft(ctx);
    if (relaunchUs === 0) read();
    else {
      this.restarting = read;
      ctx.setTimer(relaunchUs, 'ckpt:restart', epoch);
    }
  }

  /** What is left of this incarnation's relaunch (see the header): all of it at its first rollback, none for a survivor. */
  private relaunchLeft(ctx: Context): Micros {
    if (this.relaunch === 'due') this.relaunch = ctx.now() + this.config.restartUs;
    const left = this.relaunch === undefined ? 0 : Math.max(0, this.relaunch - ctx.now());
    assert(left <= this.config.restartUs, () => `${this.host.instance}: a relaunch lasts at most restart-time, but ${left} µs are left of ${this.config.restartUs}`);
    return left;
  }

  /** The line keeps the present state this operator reported: it goes on from it in the new epoch. */
  private keep(ctx: Context, message: Rollback, present: Present | undefined): void {
    // The coordinator names the state it was told of, captured for this very round (checked in `rollback`).
    assert(present !== undefined && present.id === message.target && present.epoch === message.epoch, () => `${this.host.instance}: keeps the present state it reported for epoch ${message.epoch}, but it holds ${present === undefined ? 'none' : `#${present.id} of epoch ${present.epoch}`} and the rollback names #${message.target}`);
    this.cell.epoch = message.epoch;
    this.host.restore(ctx, present.image, message.epoch);
    // The operator's record of patches began again at the restore: the next checkpoint is full.
    this.writer?.restart();
    ctx.record('ckpt', { op: 'keep', strategy: this.strategy, id: present.id, epoch: message.epoch });
    this.state = 'restored';
    this.reportRestored(ctx, true);
  }

  private reportRestored(ctx: Context, ok: boolean): void {
    ctx.send<Restored>(this.config.coordinator, { type: 'ckpt:restored', epoch: this.cell.epoch, ok });
    if (ok) ctx.setTimer(this.config.requestTimeoutUs, 'ckpt:restored', this.cell.epoch);
  }
}
