/**
 * The coordinator's rollback rounds: a restarted operator's `hello` opens a round in a new epoch.
 * The targets are, by strategy: the initial state (`none`), the last complete checkpoint
 * (`coordinated`, `barrier-snapshot`), or the recovery line (`uncoordinated`, see
 * `recovery-line.ts`). For the line the coordinator first asks every operator to `report` its
 * present state (re-sent until each answers `current`), in two phases: `stop` (each stops and waits
 * until what it sent has arrived; a restarted operator says it has no present state), then, once all
 * have stopped, `capture` (each survivor captures the state it holds from then on and sends its
 * channel counters). The line runs over each operator's reported checkpoints plus the survivors'
 * present states, so a survivor keeps its state (`rollback` with `current`) unless an orphan or a
 * message in transit forces it back. Every operator gets `rollback(epoch, target)` (re-sent until it
 * answers); once all have `restored`, all get `resume(epoch)`. A round re-asks on one timer, every
 * request timeout, whoever has not given the answer it waits for; issuing the rollbacks re-arms it,
 * so a rollback is sent again a whole request timeout after it went out, once; a round superseded
 * or closed cancels it, so no ignored retry is left in the trace. A `hello` during a round from an
 * operator that already restored in it, or that was to keep a state it has now lost (it crashed
 * again), opens a newer round; one while the states are being collected only drops that operator's
 * answer and asks it again, and tells every operator still stopping that it restarted (see
 * `heardOfRestart`). A target a tier lost (`restored` not ok) opens a round to the start.
 *
 * Guarantee: nothing of an epoch leaves before the epoch is durable — a round's first `stop`s
 * after the round is on disk, its rollbacks after its targets are (a hello that arrives while a
 * round is being written is answered by the round's first `stop`, and one while its line is being
 * written by the line's rollback, not ahead of them) — so a coordinator that restarts never reuses
 * an epoch and reopens an interrupted round; only the newest round closes. How it breaks: a round
 * waits for every operator, so one whose node stays down holds every other one (the request
 * timeout re-asks it, nothing else can: a real process learns nothing from a silent host).
 */
import type { Context, TimerId } from '../../../kernel/contract/index.ts';
import { assert } from '../../../kernel/contract/index.ts';
import type { CoordinatorConfig, CoordinatorState } from './coordinator-state.ts';
import { cutHistories, historiesOf } from './line-histories.ts';
import type { Current, Report, Restored, Resume, Rollback } from './messages.ts';
import { recoveryLineCandidates, type CheckpointCounters } from './recovery-line.ts';

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
  /** The round's one retry timer: re-asks whoever has not answered what the round now waits for. */
  retry: TimerId | undefined;
}

/** What the rounds tell the rest of the coordinator. */
export interface RoundHooks {
  /** A round opens: a global checkpoint in progress is abandoned. */
  readonly opened: (ctx: Context) => void;
  /** The round closed (every operator resumed): the next checkpoint can be scheduled. */
  readonly closed: (ctx: Context) => void;
  /** Whether the strategy takes global checkpoints (its rollbacks go to the last complete one). */
  readonly checkpoints: boolean;
}

export class RollbackRounds {
  private round: Round | undefined;

  constructor(
    private readonly config: CoordinatorConfig,
    private readonly state: CoordinatorState,
    private readonly hooks: RoundHooks,
  ) {}

  /** Whether a round is open. */
  recovering(): boolean {
    return this.round !== undefined && !this.round.done;
  }

  hello(ctx: Context, from: string): void {
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
    this.open(ctx, 'failure', from);
  }

  open(ctx: Context, reason: string, cause: string, toStart = false): void {
    this.hooks.opened(ctx);
    const durable = this.state.durable;
    assert(this.round === undefined || this.round.epoch <= durable.epoch, () => `checkpoint coordinator: rollback epochs monotone, but round ${this.round!.epoch} is ahead of epoch ${durable.epoch}`);
    durable.epoch++;
    durable.failures++;
    durable.roundOpen = true;
    const epoch = durable.epoch;
    const line = this.config.strategy === 'uncoordinated';
    const collect = line && !toStart;
    // A new round supersedes any older one at once, even before it is on disk.
    // The superseded round asks nothing more: its retry timer would only fire to be ignored.
    if (this.round !== undefined) this.stopRetry(ctx, this.round);
    const round: Round = { epoch, reason, cause, targets: collect ? undefined : this.targets(toStart), kept: new Set(), restarted: new Set(this.config.instances.includes(cause) ? [cause] : []), stopped: new Map(), reports: new Map(), restored: new Set(), done: false, asking: false, issued: false, retry: undefined };
    this.round = round;
    if (line && round.targets !== undefined) cutHistories(durable, round.epoch, round.targets);
    this.state.persist(ctx, () => {
      if (this.round !== round) return;
      if (!collect) return this.issue(ctx, round);
      round.asking = true;
      for (const instance of this.config.instances) this.sendReport(ctx, instance, round);
      this.armRetry(ctx, round);
    });
  }

  private targets(toStart: boolean): Map<string, number> {
    const durable = this.state.durable;
    const targets = new Map<string, number>();
    const target = toStart || !this.hooks.checkpoints ? 0 : durable.completed;
    assert(target < durable.nextId, () => `checkpoint coordinator: a rollback target was issued, but ${target} ≥ next id ${durable.nextId}`);
    for (const instance of this.config.instances) targets.set(instance, target);
    return targets;
  }

  /**
   * Uncoordinated: an operator's answer for the open round. First every operator stops (and its
   * outputs arrive), then every stopped one captures: no message is then in flight between two
   * survivors' present states, so none sends its sender back.
   */
  current(ctx: Context, message: Current, from: string): void {
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
    const durable = this.state.durable;
    const present = new Map<string, CheckpointCounters>();
    for (const [instance, state] of round.reports) if (state !== null) present.set(instance, state);
    const chosen = recoveryLineCandidates(historiesOf(durable, this.config.instances), this.config.channels, present);
    round.targets = new Map([...chosen].map(([instance, candidate]) => [instance, candidate.id] as const));
    round.kept = new Set([...chosen].filter(([instance, candidate]) => candidate === present.get(instance)).map(([instance]) => instance));
    cutHistories(durable, round.epoch, round.targets);
    this.state.persist(ctx, () => {
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
    // The rollbacks just went out: the next re-send is a whole request timeout away, whatever was asked before.
    this.armRetry(ctx, round);
  }

  /** (Re)arms the round's one retry timer, a request timeout from now. */
  private armRetry(ctx: Context, round: Round): void {
    this.stopRetry(ctx, round);
    round.retry = ctx.setTimer(this.config.requestTimeoutUs, 'coord:rollback-retry', round.epoch);
  }

  /** Cancels the round's retry timer, if armed: the round is superseded or done and re-asks no one. */
  private stopRetry(ctx: Context, round: Round): void {
    if (round.retry !== undefined) ctx.cancelTimer(round.retry);
    round.retry = undefined;
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

  /** The request timeout passed: asks again every operator whose answer the round still waits for. */
  retry(ctx: Context, epoch: number): void {
    const round = this.round;
    if (round === undefined || round.epoch !== epoch || round.done) return;
    round.retry = undefined;
    for (const instance of this.config.instances) {
      if (round.targets === undefined) {
        const waiting = round.stopped.size < this.config.instances.length ? !round.stopped.has(instance) : !round.reports.has(instance);
        if (waiting) this.sendReport(ctx, instance, round);
      } else if (round.issued && !round.restored.has(instance)) this.sendRollback(ctx, instance, round);
    }
    this.armRetry(ctx, round);
  }

  restored(ctx: Context, message: Restored, from: string): void {
    const round = this.round;
    if (round === undefined || message.epoch !== round.epoch || round.targets === undefined) return;
    if (!message.ok) {
      // The target checkpoint is gone from its tier: nothing consistent is left but the start.
      if (!round.done) this.open(ctx, `checkpoint ${round.targets.get(from)} of ${from} is missing`, from, true);
      return;
    }
    if (round.done) {
      ctx.send<Resume>(from, { type: 'ckpt:resume', epoch: round.epoch });
      return;
    }
    round.restored.add(from);
    if (round.restored.size < this.config.instances.length) return;
    const durable = this.state.durable;
    // Only the newest round can close: an older one was superseded when the epoch moved on.
    assert(round.epoch === durable.epoch && durable.roundOpen, () => `checkpoint coordinator: the round closing is the open one of the current epoch, but round ${round.epoch}, epoch ${durable.epoch}, open ${durable.roundOpen}`);
    round.done = true;
    this.stopRetry(ctx, round);
    durable.roundOpen = false;
    this.state.persist(ctx, () => {
      ctx.record('ckpt', { op: 'recovered', strategy: this.config.strategy, epoch: round.epoch });
      for (const instance of this.config.instances) ctx.send<Resume>(instance, { type: 'ckpt:resume', epoch: round.epoch });
      this.hooks.closed(ctx);
    });
  }
}
