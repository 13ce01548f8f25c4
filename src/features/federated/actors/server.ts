/**
 * The federated-learning server: runs rounds of FedAvg (McMahan et al. 2017) over real messages.
 *
 * A round: the server sends the global model to every site (`updateBytes` each, so the WAN
 * matters), collects updates tagged with the attempt they answer, and aggregates them by FedAvg
 * when its policy says the round is over — `wait-all` (every site), `k-of-n` (the first k) or
 * `deadline` (whatever arrived by the deadline, or the first update after it). An update for an
 * attempt that is no longer current is late: recorded (`op: late`) and discarded — wasted work.
 * Sites that have not answered get the model again every `resendUs`, so a site that was down when
 * the round started (a dropout) rejoins the round once it restarts.
 *
 * Guarantee: with `wait-all` every round aggregates every site, so the global loss falls by the
 * factor ρ² of shared/objective.ts each round and reaches the optimum geometrically; the
 * `fl-converges` checker verifies it from the trace. With `k-of-n` or `deadline` rounds end
 * sooner, but the loss may rise between rounds and a site that is always slow is always left out,
 * biasing the model.
 *
 * Durability, and how it breaks by configuration: the server checkpoints its model and round
 * through the checkpoint layer (model-host.ts): on the configured interval (every N completed
 * rounds, every duration, or adaptively) to the configured tier (its own node's disk or memory, or
 * a store across the network), writing in the background while rounds go on (`ckpt` records),
 * until the final model is saved once after the last round.
 * After a crash it is held until it has restored the newest checkpoint its tier still holds, so the
 * rounds completed since then are lost and redone (`op: recover`); a node-local `memory` tier loses
 * every checkpoint with the node, and without checkpoints the server restarts from round 0. A
 * remote tier survives the node but makes every save and the restore cross the network.
 *
 * The evaluation oracle: to write the true global loss into the trace, the server asks every site
 * once for its objective (centre and sample count, `fl-join`) and keeps it on disk. A real server
 * would have sites evaluate on held-out data; here the aggregation itself uses only the updates.
 *
 * Records (`state`): `objective` (sites, centres, samples, initial model, optimum and initial
 * loss), `round-start`, `round` (round, started, loss, participants, durationUs), `late`,
 * `recover` (round restored, fromCheckpoint), `done`; and the checkpoint layer's `ckpt` records
 * (`snapshot`, `begin`, `saved` with tier, bytes and duration, `restore`, `blocked`).
 */
import type { Actor, Context, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { makeParticipant, type ComposedParticipant, type FromStore } from '../../checkpoint/actors/index.ts';
import { CONTROL_BYTES, type FlServerConfig, type HelloMessage, type ModelMessage, type ToServer, type UpdateMessage } from './config.ts';
import { ModelHost, type ModelState } from './model-host.ts';
import { fedAvg, globalLoss, optimumLoss, type LocalObjective, type Vector } from '../shared/objective.ts';

const OBJECTIVE_FILE = 'fl-objective';

interface Attempt {
  readonly round: number;
  readonly started: Micros;
  readonly updates: Map<string, UpdateMessage>;
  deadlinePassed: boolean;
  resend: TimerId;
  deadline: TimerId | undefined;
}

/** The checkpoint layer's view of the server and the participant that checkpoints it. */
interface Protection {
  readonly host: ModelHost;
  readonly participant: ComposedParticipant;
}

export class FlServer implements Actor<ToServer | FromStore> {
  private readonly joined = new Map<string, LocalObjective>();
  private registered = false;
  /** Rounds completed; `weights` is the model after them. */
  private round = 0;
  private weights: Vector = [];
  private attempt: Attempt | undefined;
  private helloTimer: TimerId | undefined;
  private protection: Protection | undefined;

  constructor(private readonly config: FlServerConfig) {}

  start(ctx: Context): void {
    this.weights = this.initialWeights();
    this.protection = this.protect(ctx);
    this.protection?.participant.start(ctx);
    this.register(ctx);
  }

  /** Restores the newest checkpoint (held meanwhile) and re-registers if the oracle was lost too. */
  recover(ctx: Context): void {
    const objective = ctx.disk.get(OBJECTIVE_FILE) as Record<string, LocalObjective> | undefined;
    this.weights = this.initialWeights();
    if (objective !== undefined) {
      for (const site of this.config.sites) this.joined.set(site, objective[site]!);
      this.registered = true;
    }
    this.protection = this.protect(ctx);
    if (this.protection === undefined) this.restored(ctx, undefined);
    else this.protection.participant.recover(ctx);
    if (objective === undefined) this.register(ctx);
    else this.proceed(ctx);
  }

  onMessage(ctx: Context, message: ToServer | FromStore, from: string): void {
    switch (message.type) {
      case 'fl-join':
        if (this.registered || !this.config.sites.includes(from)) return;
        this.joined.set(from, { centre: message.centre, samples: message.samples });
        if (this.joined.size === this.config.sites.length) this.registrationDone(ctx);
        return;
      case 'fl-update':
        return this.onUpdate(ctx, message, from);
      default:
        this.protection?.participant.onMessage(ctx, message, from);
    }
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    switch (wakeup.name) {
      case 'hello':
        this.helloTimer = undefined;
        if (!this.registered) this.register(ctx);
        break;
      case 'resend':
        if (this.attempt !== undefined && this.attempt.started === wakeup.data) this.resend(ctx, this.attempt);
        break;
      case 'deadline':
        if (this.attempt !== undefined && this.attempt.started === wakeup.data) {
          this.attempt.deadlinePassed = true;
          this.attempt.deadline = undefined;
          if (this.attempt.updates.size > 0) this.finishRound(ctx, this.attempt);
        }
        break;
      default:
        this.protection?.participant.onTimer(ctx, wakeup);
    }
  }

  /** Asks the sites that have not joined yet for their objective, and again after `resendUs`. */
  private register(ctx: Context): void {
    const hello: HelloMessage = { type: 'fl-hello' };
    for (const site of this.config.sites) if (!this.joined.has(site)) ctx.send(site, hello, { bytes: CONTROL_BYTES });
    this.helloTimer = ctx.setTimer(this.config.resendUs, 'hello');
  }

  private registrationDone(ctx: Context): void {
    this.registered = true;
    if (this.helloTimer !== undefined) ctx.cancelTimer(this.helloTimer);
    const sites = this.objectives();
    const file: Record<string, LocalObjective> = {};
    for (const site of this.config.sites) file[site] = this.joined.get(site)!;
    ctx.disk.put(OBJECTIVE_FILE, file, 64 + this.config.sites.length * (16 + 8 * this.config.modelDim));
    ctx.disk.fsync();
    ctx.record('state', {
      op: 'objective',
      sites: [...this.config.sites],
      centres: sites.map((s) => [...s.centre]),
      samples: sites.map((s) => s.samples),
      initial: [...this.weights],
      initialLoss: globalLoss(this.weights, sites),
      optimumLoss: optimumLoss(sites),
    });
    this.proceed(ctx);
  }

  /** Starts the next round unless one is running, the objective is missing or a restore holds the server. */
  private proceed(ctx: Context): void {
    if (!this.registered || this.attempt !== undefined || this.protection?.host.isHeld('restore') === true) return;
    this.nextRound(ctx);
  }

  /** The checkpoint layer's participant for the configured checkpointing, if any (model-host.ts). */
  private protect(ctx: Context): Protection | undefined {
    const config = this.config.checkpoint;
    if (config === undefined) return undefined;
    const host = new ModelHost(ctx.self, this.config.updateBytes, {
      model: (): ModelState => ({ round: this.round, weights: this.weights }),
      restored: (c, model) => this.restored(c, model),
      resumed: (c) => this.proceed(c),
      trained: () => this.round >= this.config.rounds,
    });
    return { host, participant: makeParticipant(ctx, host, config) };
  }

  private restored(ctx: Context, model: ModelState | undefined): void {
    this.round = model?.round ?? 0;
    this.weights = model === undefined ? this.initialWeights() : [...model.weights];
    ctx.record('state', { op: 'recover', round: this.round, fromCheckpoint: model !== undefined });
  }

  private initialWeights(): number[] {
    return new Array<number>(this.config.modelDim).fill(0);
  }

  private nextRound(ctx: Context): void {
    if (this.round >= this.config.rounds) {
      ctx.record('state', { op: 'done', round: this.round, loss: globalLoss(this.weights, this.objectives()) });
      return;
    }
    const started = ctx.now();
    const policy = this.config.policy;
    const deadline = policy.kind === 'deadline' ? ctx.setTimer(policy.deadlineUs, 'deadline', started) : undefined;
    const attempt: Attempt = { round: this.round + 1, started, updates: new Map(), deadlinePassed: false, resend: -1, deadline };
    this.attempt = attempt;
    ctx.record('state', { op: 'round-start', round: attempt.round, started });
    this.resend(ctx, attempt);
  }

  /** Sends the model to every site that has not answered this attempt, and re-arms the re-send. */
  private resend(ctx: Context, attempt: Attempt): void {
    const model: ModelMessage = { type: 'fl-model', round: attempt.round, started: attempt.started, weights: this.weights };
    for (const site of this.config.sites) if (!attempt.updates.has(site)) ctx.send(site, model, { bytes: this.config.updateBytes });
    attempt.resend = ctx.setTimer(this.config.resendUs, 'resend', attempt.started);
  }

  private onUpdate(ctx: Context, update: UpdateMessage, from: string): void {
    const attempt = this.attempt;
    if (attempt === undefined || update.started !== attempt.started) {
      ctx.record('state', { op: 'late', site: from, round: update.round, started: update.started });
      return;
    }
    if (attempt.updates.has(from)) return;
    attempt.updates.set(from, update);
    if (this.roundOver(attempt)) this.finishRound(ctx, attempt);
  }

  private roundOver(attempt: Attempt): boolean {
    const received = attempt.updates.size;
    if (received === this.config.sites.length) return true;
    const policy = this.config.policy;
    if (policy.kind === 'k-of-n') return received >= policy.k;
    if (policy.kind === 'deadline') return attempt.deadlinePassed && received > 0;
    return false;
  }

  private finishRound(ctx: Context, attempt: Attempt): void {
    ctx.cancelTimer(attempt.resend);
    if (attempt.deadline !== undefined) ctx.cancelTimer(attempt.deadline);
    this.attempt = undefined;
    // Aggregate in the configured site order, so the floating-point sum is the same every run.
    const participants = this.config.sites.filter((site) => attempt.updates.has(site));
    this.weights = fedAvg(participants.map((site) => attempt.updates.get(site)!));
    this.round = attempt.round;
    const loss = globalLoss(this.weights, this.objectives());
    ctx.record('state', { op: 'round', round: this.round, started: attempt.started, loss, participants, durationUs: ctx.now() - attempt.started });
    // A completed round is the server's unit of work: an interval of N rounds counts these.
    this.protection?.participant.afterEvent(ctx);
    this.nextRound(ctx);
  }

  private objectives(): LocalObjective[] {
    return this.config.sites.map((site) => this.joined.get(site)!);
  }
}
