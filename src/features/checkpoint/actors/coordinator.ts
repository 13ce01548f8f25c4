/**
 * The checkpoint coordinator (Flink's JobManager, an HPC job's checkpoint/restart driver): it
 * starts global checkpoints, declares them complete, and drives every global rollback.
 *
 * Checkpoints (`coordinated`, `barrier-snapshot`): one at a time, `interval` after the previous
 * one ended (an adaptive interval learns its cost δ from each global checkpoint, trigger to
 * completion, and its MTBF from the rollbacks, see interval.ts). `coordinated` sends `pause(id)`
 * to every operator and, once all have `saved(id)`, `continue(id)`; `barrier-snapshot` sends `trigger(id)` to the pure sources (or to one initiator
 * in a pipeline without any) and waits for every `saved(id)`; until they arrive it asks again every
 * request timeout (pause, trigger, or `status` for the operators barriers reach in-band), as any
 * of these messages can be lost. A checkpoint is complete when every
 * operator has saved its part (`ckpt` `complete` record); one that is not complete within
 * `checkpointTimeoutUs` is abandoned (`aborted`).
 *
 * Rollbacks: a restarted operator's `hello` opens a round in a new epoch. The targets are, by
 * strategy: the initial state (`none`), the last complete checkpoint (`coordinated`,
 * `barrier-snapshot`), or the recovery line (`uncoordinated`, see `recovery-line.ts`). For the
 * line the coordinator first asks every operator to `report` its present state (re-sent until each
 * answers `current`), in two phases: `stop` (each stops and waits until what it sent has arrived;
 * a restarted operator says it has no present state), then, once all have stopped, `capture`
 * (each survivor captures the state it holds from then on and sends its channel counters). The line runs over each operator's reported checkpoints plus the
 * survivors' present states, so a survivor keeps its state (`rollback` with `current`) unless an
 * orphan or a message in transit forces it back. Every operator gets `rollback(epoch, target)`
 * (re-sent until it answers); once all have `restored`, all get `resume(epoch)`. A `hello` during a
 * round from an operator that already restored in it, or that was to keep a state it has now lost
 * (it crashed again), opens a newer round; one while the states are being collected only drops
 * that operator's answer and asks it again, and tells every operator still stopping that it
 * restarted (see `heardOfRestart`).
 *
 * Guarantee: the epoch, the checkpoint counter, the last complete checkpoint and the reported
 * histories are fsynced before any message depends on them — nothing of an epoch leaves before the
 * epoch is durable (a hello that arrives while a new round is being written is answered by the
 * round's first `stop`, and one while its line is being written by the line's rollback, not ahead
 * of them) — so a coordinator that crashes and restarts never reuses
 * an epoch or an id, and reopens an interrupted round. A checkpoint reported late (its report still
 * travelling when a round opened) is still a candidate unless the last line abandoned it: taken
 * after that line's target and before the line was chosen. How it breaks: while the coordinator is
 * down nothing is checkpointed and nobody recovers — it is the single point of failure of every
 * global strategy.
 */
import type { Actor, Context, Message, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { IntervalPolicy, StrategyName } from './config.ts';
import { CheckpointClock } from './interval.ts';
import type { Continue, Current, Meta, MetaAck, Pause, Report, Restored, Resume, Rollback, Saved, Status, Trigger } from './messages.ts';
import { recoveryLineCandidates, type ChannelLink, type CheckpointCounters } from './recovery-line.ts';

export interface CoordinatorConfig {
  readonly strategy: StrategyName;
  /** Every operator instance, in pipeline order. */
  readonly instances: readonly string[];
  /** Where `barrier-snapshot` injects barriers: the pure sources, or one initiator. */
  readonly triggerTargets: readonly string[];
  /** The direct channels between instances (for the uncoordinated recovery line). */
  readonly channels: readonly ChannelLink[];
  readonly interval: IntervalPolicy;
  readonly requestTimeoutUs: Micros;
  readonly checkpointTimeoutUs: Micros;
}

/** What the coordinator keeps on disk. */
interface Durable {
  epoch: number;
  nextId: number;
  completed: number;
  roundOpen: boolean;
  failures: number;
  /**
   * Uncoordinated: per instance, the target of its last line and when that line was chosen.
   * Checkpoints captured between the two belong to the history the rollback abandons; any other
   * reported late (a report still travelling when a round opened) is still the instance's own.
   */
  cuts: Record<string, { target: number; atUs: Micros }>;
  /** Uncoordinated: each instance's reported checkpoints, oldest first. */
  histories: Record<string, CheckpointCounters[]>;
}

interface Round {
  readonly epoch: number;
  readonly reason: string;
  readonly cause: string;
  /** Undefined while an uncoordinated round collects the operators' present states. */
  targets: ReadonlyMap<string, number> | undefined;
  /** Uncoordinated: the operators whose target is the present state they reported. */
  kept: ReadonlySet<string>;
  /** Uncoordinated: the operators known to have restarted in this round (their hello, or no present state). */
  readonly restarted: Set<string>;
  /** Uncoordinated, while collecting: each operator's answer to `stop` (false: it has no present state). */
  readonly stopped: Map<string, boolean>;
  /** Uncoordinated, while collecting: each operator's present state (null: it has none). */
  readonly reports: Map<string, CheckpointCounters | null>;
  readonly restored: Set<string>;
  done: boolean;
  /** Uncoordinated: the round is on disk and its first `stop`s went out (nothing of its epoch leaves before). */
  asking: boolean;
  /** Its targets are on disk and its rollbacks went out (none leaves before). */
  issued: boolean;
}

interface ActiveCheckpoint {
  readonly id: number;
  readonly epoch: number;
  readonly saved: Set<string>;
  /** When it was triggered (the operators were asked); its cost runs from here to its completion. */
  triggeredUs?: Micros;
}

const STATE_FILE = 'coordinator';

export class CheckpointCoordinator implements Actor<Message> {
  private durable: Durable = { epoch: 0, nextId: 1, completed: 0, roundOpen: false, failures: 0, cuts: {}, histories: {} };
  private round: Round | undefined;
  private active: ActiveCheckpoint | undefined;
  private readonly clock: CheckpointClock;
  private readonly persisted = new Map<number, () => void>();
  private persistSeq = 0;
  private checkpointTimer: TimerId | undefined;

  constructor(private readonly config: CoordinatorConfig) {
    this.clock = new CheckpointClock(config.interval);
  }

  private get checkpoints(): boolean {
    return this.config.strategy === 'coordinated' || this.config.strategy === 'barrier-snapshot';
  }

  start(ctx: Context): void {
    for (const instance of this.config.instances) this.durable.histories[instance] ??= [];
    this.scheduleCheckpoint(ctx, true);
  }

  recover(ctx: Context): void {
    const saved = ctx.disk.get(STATE_FILE) as Durable | undefined;
    if (saved !== undefined) this.durable = structuredClone(saved);
    // What was written together comes back together: the last complete checkpoint is one that was issued.
    assert(this.durable.completed < this.durable.nextId, () => `checkpoint coordinator: restored last complete id < next id, but ${this.durable.completed} ≥ ${this.durable.nextId}`);
    for (const instance of this.config.instances) this.durable.histories[instance] ??= [];
    if (this.durable.roundOpen) this.openRound(ctx, 'coordinator restarted during a rollback', 'coordinator');
    this.scheduleCheckpoint(ctx, false);
  }

  onMessage(ctx: Context, message: Message, from: string): void {
    switch (message.type) {
      case 'ckpt:hello':
        return this.hello(ctx, from);
      case 'ckpt:restored':
        return this.restored(ctx, message as Restored, from);
      case 'ckpt:saved':
        return this.saved(ctx, message as Saved, from);
      case 'ckpt:meta':
        return this.meta(ctx, message as Meta, from);
      case 'ckpt:current':
        return this.current(ctx, message as Current, from);
      case 'ckpt:due':
        if (this.active === undefined && !this.recovering() && this.checkpoints) this.begin(ctx);
        return;
    }
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    switch (wakeup.name) {
      case 'coord:persisted': {
        const then = this.persisted.get(wakeup.data as number);
        this.persisted.delete(wakeup.data as number);
        return then?.();
      }
      case 'coord:checkpoint':
        this.checkpointTimer = undefined;
        if (this.active === undefined && !this.recovering()) this.begin(ctx);
        else this.scheduleCheckpoint(ctx, false);
        return;
      case 'coord:checkpoint-timeout':
        if (this.active?.id === wakeup.data) this.abort(ctx, 'timeout');
        return;
      case 'coord:checkpoint-retry':
        return this.retryCheckpoint(ctx, wakeup.data as number);
      case 'coord:rollback-retry':
        return this.retryRound(ctx, wakeup.data as number);
    }
  }

  // --- rollbacks ----------------------------------------------------------------------------

  private hello(ctx: Context, from: string): void {
    const round = this.round;
    if (round !== undefined && !round.done) {
      if (round.targets === undefined) {
        // It restarted since it answered, if it did: the present state it stopped in is gone.
        this.heardOfRestart(ctx, round, from);
        // Before the round is on disk nothing of its epoch leaves: its first `stop`s, still to go, ask this one too.
        if (round.asking && round.stopped.get(from) !== false) {
          round.stopped.delete(from);
          round.reports.delete(from);
          this.sendReport(ctx, from, round);
        }
        return;
      }
      if (!round.restored.has(from) && !round.kept.has(from)) {
        // While the targets are being written, `issue` sends its rollback with everyone's.
        if (round.issued) this.sendRollback(ctx, from, round);
        return;
      }
    }
    this.openRound(ctx, 'failure', from);
  }

  private openRound(ctx: Context, reason: string, cause: string, toStart = false): void {
    if (this.active !== undefined) this.abort(ctx, 'rollback');
    assert(this.round === undefined || this.round.epoch <= this.durable.epoch, () => `checkpoint coordinator: rollback epochs monotone, but round ${this.round!.epoch} is ahead of epoch ${this.durable.epoch}`);
    this.durable.epoch++;
    this.durable.failures++;
    this.durable.roundOpen = true;
    const epoch = this.durable.epoch;
    const line = this.config.strategy === 'uncoordinated';
    const collect = line && !toStart;
    // A new round supersedes any older one at once, even before it is on disk.
    const round: Round = { epoch, reason, cause, targets: collect ? undefined : this.targets(toStart), kept: new Set(), restarted: new Set(this.config.instances.includes(cause) ? [cause] : []), stopped: new Map(), reports: new Map(), restored: new Set(), done: false, asking: false, issued: false };
    this.round = round;
    if (line && round.targets !== undefined) this.pruneHistories(ctx, round.targets);
    this.persist(ctx, () => {
      if (this.round !== round) return;
      if (!collect) return this.issue(ctx, round);
      round.asking = true;
      for (const instance of this.config.instances) this.sendReport(ctx, instance, round);
      ctx.setTimer(this.config.requestTimeoutUs, 'coord:rollback-retry', epoch);
    });
  }

  private targets(toStart: boolean): Map<string, number> {
    const targets = new Map<string, number>();
    const target = toStart || !this.checkpoints ? 0 : this.durable.completed;
    assert(target < this.durable.nextId, () => `checkpoint coordinator: a rollback target was issued, but ${target} ≥ next id ${this.durable.nextId}`);
    for (const instance of this.config.instances) targets.set(instance, target);
    return targets;
  }

  /**
   * Uncoordinated: an operator's answer for the open round. First every operator stops (and its
   * outputs arrive), then every stopped one captures: no message is then in flight between two
   * survivors' present states, so none sends its sender back.
   */
  private current(ctx: Context, message: Current, from: string): void {
    const round = this.round;
    if (round === undefined || round.epoch !== message.epoch || round.targets !== undefined || !this.config.instances.includes(from)) return;
    const all = this.config.instances.length;
    if (message.phase === 'stop') {
      if (round.stopped.has(from)) return;
      round.stopped.set(from, message.none !== true);
      if (message.none === true) {
        round.reports.set(from, null);
        this.heardOfRestart(ctx, round, from);
      }
      // Everyone stopped: ask the ones with a present state to capture it.
      if (round.stopped.size === all) for (const instance of this.config.instances) if (round.stopped.get(instance) === true && !round.reports.has(instance)) this.sendReport(ctx, instance, round);
    } else {
      if (round.stopped.size < all || round.stopped.get(from) !== true || round.reports.has(from)) return;
      round.reports.set(from, message.none === true ? null : Object.freeze({ id: message.id!, inputs: { ...message.inputs }, outputs: { ...message.outputs } }));
    }
    if (round.reports.size < all) return;
    // Every answer is in: the line over the reported checkpoints and the survivors' present states.
    const histories = new Map(this.config.instances.map((instance) => [instance, this.durable.histories[instance] ?? []] as const));
    const present = new Map<string, CheckpointCounters>();
    for (const [instance, state] of round.reports) if (state !== null) present.set(instance, state);
    const chosen = recoveryLineCandidates(histories, this.config.channels, present);
    round.targets = new Map([...chosen].map(([instance, candidate]) => [instance, candidate.id] as const));
    round.kept = new Set([...chosen].filter(([instance, candidate]) => candidate === present.get(instance)).map(([instance]) => instance));
    this.pruneHistories(ctx, round.targets);
    this.persist(ctx, () => {
      if (this.round === round) this.issue(ctx, round);
    });
  }

  /** The targets are known and on disk: record the line and send every operator its rollback. */
  private issue(ctx: Context, round: Round): void {
    const targets = round.targets!;
    round.issued = true;
    const toStart = [...targets].filter(([, id]) => id === 0).map(([instance]) => instance);
    const kept = this.config.strategy === 'uncoordinated' ? { kept: this.config.instances.filter((instance) => round.kept.has(instance)) } : {};
    ctx.record('ckpt', { op: 'rollback', strategy: this.config.strategy, epoch: round.epoch, reason: round.reason, cause: round.cause, targets: Object.fromEntries(targets), toStart, ...kept });
    for (const instance of this.config.instances) this.sendRollback(ctx, instance, round);
    ctx.setTimer(this.config.requestTimeoutUs, 'coord:rollback-retry', round.epoch);
  }

  /** After rolling back to the line, checkpoints beyond it belong to a history that no longer happened. */
  private pruneHistories(ctx: Context, targets: ReadonlyMap<string, number>): void {
    for (const [instance, target] of targets) {
      this.durable.histories[instance] = (this.durable.histories[instance] ?? []).filter((meta) => meta.id <= target);
      this.durable.cuts[instance] = { target, atUs: ctx.now() };
    }
  }

  /**
   * The round learns that `instance` restarted (its hello, or its answer that it has no present
   * state). While operators are still stopping, each is told at once — `stop` again, naming it — so
   * none waits for what it sent to the restarted process, which can never acknowledge it.
   */
  private heardOfRestart(ctx: Context, round: Round, instance: string): void {
    if (round.restarted.has(instance)) return;
    round.restarted.add(instance);
    // Before the round is on disk its first `stop`s, still to go, will name it.
    if (!round.asking || round.stopped.size >= this.config.instances.length) return;
    for (const other of this.config.instances) if (other !== instance && !round.stopped.has(other)) this.sendReport(ctx, other, round);
  }

  /** Asks for the answer the round waits for from this operator: `stop` until everyone stopped, then `capture`. */
  private sendReport(ctx: Context, instance: string, round: Round): void {
    if (round.stopped.size < this.config.instances.length) ctx.send<Report>(instance, { type: 'ckpt:report', epoch: round.epoch, phase: 'stop', restarted: [...round.restarted] });
    else ctx.send<Report>(instance, { type: 'ckpt:report', epoch: round.epoch, phase: 'capture' });
  }

  private sendRollback(ctx: Context, instance: string, round: Round): void {
    const target = round.targets?.get(instance) ?? 0;
    ctx.send<Rollback>(instance, { type: 'ckpt:rollback', epoch: round.epoch, target, ...(round.kept.has(instance) ? { current: true as const } : {}) });
  }

  private retryRound(ctx: Context, epoch: number): void {
    const round = this.round;
    if (round === undefined || round.epoch !== epoch || round.done) return;
    for (const instance of this.config.instances) {
      if (round.targets === undefined) {
        const waiting = round.stopped.size < this.config.instances.length ? !round.stopped.has(instance) : !round.reports.has(instance);
        if (waiting) this.sendReport(ctx, instance, round);
      } else if (round.issued && !round.restored.has(instance)) this.sendRollback(ctx, instance, round);
    }
    ctx.setTimer(this.config.requestTimeoutUs, 'coord:rollback-retry', epoch);
  }

  private restored(ctx: Context, message: Restored, from: string): void {
    const round = this.round;
    if (round === undefined || message.epoch !== round.epoch || round.targets === undefined) return;
    if (!message.ok) {
      // The target checkpoint is gone from its tier: nothing consistent is left but the start.
      if (!round.done) this.openRound(ctx, `checkpoint ${round.targets.get(from)} of ${from} is missing`, from, true);
      return;
    }
    if (round.done) {
      ctx.send<Resume>(from, { type: 'ckpt:resume', epoch: round.epoch });
      return;
    }
    round.restored.add(from);
    if (round.restored.size < this.config.instances.length) return;
    // Only the newest round can close: an older one was superseded when the epoch moved on.
    assert(round.epoch === this.durable.epoch && this.durable.roundOpen, () => `checkpoint coordinator: the round closing is the open one of the current epoch, but round ${round.epoch}, epoch ${this.durable.epoch}, open ${this.durable.roundOpen}`);
    round.done = true;
    this.durable.roundOpen = false;
    this.persist(ctx, () => {
      ctx.record('ckpt', { op: 'recovered', strategy: this.config.strategy, epoch: round.epoch });
      for (const instance of this.config.instances) ctx.send<Resume>(instance, { type: 'ckpt:resume', epoch: round.epoch });
      this.scheduleCheckpoint(ctx, false);
    });
  }

  // --- checkpoints --------------------------------------------------------------------------

  private recovering(): boolean {
    return this.round !== undefined && !this.round.done;
  }

  /** (Re)arms the one checkpoint timer: the next checkpoint is `interval` from now. */
  private scheduleCheckpoint(ctx: Context, first: boolean): void {
    if (!this.checkpoints) return;
    if (this.checkpointTimer !== undefined) ctx.cancelTimer(this.checkpointTimer);
    this.checkpointTimer = undefined;
    const history = { failures: this.durable.failures, nowUs: ctx.now() };
    const delay = first ? this.clock.firstDelay(history, 0.5) : this.clock.nextDelay(history);
    if (delay !== undefined) this.checkpointTimer = ctx.setTimer(delay, 'coord:checkpoint');
  }

  private begin(ctx: Context): void {
    const id = this.durable.nextId++;
    assert(id > this.durable.completed, () => `checkpoint coordinator: checkpoint ids monotone, but starting ${id} after completing ${this.durable.completed}`);
    const active: ActiveCheckpoint = { id, epoch: this.durable.epoch, saved: new Set() };
    this.active = active;
    this.persist(ctx, () => {
      if (this.active !== active) return;
      active.triggeredUs = ctx.now();
      ctx.record('ckpt', { op: 'trigger', strategy: this.config.strategy, id, epoch: active.epoch });
      const targets = this.config.strategy === 'coordinated' ? this.config.instances : this.config.triggerTargets;
      for (const instance of targets) this.ask(ctx, instance, active);
      ctx.setTimer(this.config.checkpointTimeoutUs, 'coord:checkpoint-timeout', id);
      ctx.setTimer(this.config.requestTimeoutUs, 'coord:checkpoint-retry', id);
    });
  }

  /** Asks an operator for its part of a checkpoint: pause, trigger, or — for the others — its status. */
  private ask(ctx: Context, instance: string, active: ActiveCheckpoint): void {
    const { id, epoch } = active;
    const completed = this.durable.completed;
    if (this.config.strategy === 'coordinated') ctx.send<Pause>(instance, { type: 'ckpt:pause', id, epoch, completed });
    else if (this.config.triggerTargets.includes(instance)) ctx.send<Trigger>(instance, { type: 'ckpt:trigger', id, epoch, completed });
    else ctx.send<Status>(instance, { type: 'ckpt:status', id, epoch });
  }

  /** Messages get lost: asks again everyone whose `saved` has not arrived. */
  private retryCheckpoint(ctx: Context, id: number): void {
    const active = this.active;
    if (active === undefined || active.id !== id) return;
    for (const instance of this.config.instances) if (!active.saved.has(instance)) this.ask(ctx, instance, active);
    ctx.setTimer(this.config.requestTimeoutUs, 'coord:checkpoint-retry', id);
  }

  private saved(ctx: Context, message: Saved, from: string): void {
    const active = this.active;
    if (active === undefined || active.id !== message.id || active.epoch !== message.epoch) {
      // Its `continue` was lost, or the checkpoint was abandoned: let the operator carry on.
      if (this.config.strategy === 'coordinated' && message.id < this.durable.nextId) ctx.send<Continue>(from, { type: 'ckpt:continue', id: message.id });
      return;
    }
    active.saved.add(from);
    if (active.saved.size < this.config.instances.length) return;
    assert(active.id > this.durable.completed && active.epoch === this.durable.epoch, () => `checkpoint coordinator: completed ids monotone within the current epoch, but completing ${active.id} (epoch ${active.epoch}) after ${this.durable.completed} (epoch ${this.durable.epoch})`);
    this.durable.completed = active.id;
    this.persist(ctx, () => {
      if (this.active !== active) return;
      this.active = undefined;
      ctx.record('ckpt', { op: 'complete', strategy: this.config.strategy, id: active.id, epoch: active.epoch, participants: this.config.instances.length });
      // The adaptive interval's δ: what this global checkpoint took, trigger to completion.
      this.clock.observeCost(ctx.now() - active.triggeredUs!);
      this.release(ctx, active.id);
      this.scheduleCheckpoint(ctx, false);
    });
  }

  private abort(ctx: Context, reason: string): void {
    const active = this.active;
    if (active === undefined) return;
    this.active = undefined;
    ctx.record('ckpt', { op: 'aborted', strategy: this.config.strategy, id: active.id, reason });
    if (reason !== 'rollback') {
      this.release(ctx, active.id);
      this.scheduleCheckpoint(ctx, false);
    }
  }

  private release(ctx: Context, id: number): void {
    if (this.config.strategy !== 'coordinated') return;
    for (const instance of this.config.instances) ctx.send<Continue>(instance, { type: 'ckpt:continue', id });
  }

  // --- uncoordinated histories --------------------------------------------------------------

  private meta(ctx: Context, message: Meta, from: string): void {
    const history = (this.durable.histories[from] ??= []);
    // Independent checkpoint ids are their capture times: one taken after the last line's target
    // and before that line was chosen is of the abandoned history (its rollback was still to come).
    const cut = this.durable.cuts[from];
    const abandoned = cut !== undefined && message.id > cut.target && message.id < cut.atUs;
    if (!abandoned && (history.length === 0 || history[history.length - 1].id < message.id)) {
      // Frozen and owned: the images on disk share the entries (see `persist`).
      history.push(Object.freeze({ id: message.id, inputs: { ...message.inputs }, outputs: { ...message.outputs } }));
    }
    this.persist(ctx, () => ctx.send<MetaAck>(from, { type: 'ckpt:meta-ack', id: message.id }));
  }

  /**
   * Writes the durable state and runs `then` once it is on disk. The image written is a copy of
   * the state's structure but shares the history entries, which are frozen when reported: a deep
   * copy of every history at every report grew with the square of the run's length.
   */
  private persist(ctx: Context, then: () => void): void {
    const seq = this.persistSeq++;
    this.persisted.set(seq, then);
    const histories: Durable['histories'] = {};
    for (const [instance, history] of Object.entries(this.durable.histories)) histories[instance] = history.slice();
    ctx.disk.put(STATE_FILE, { ...this.durable, histories }, 256);
    ctx.disk.fsync({ name: 'coord:persisted', data: seq });
  }
}
