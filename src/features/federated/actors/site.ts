/**
 * A federated-learning site: it holds a private dataset (summarised by its objective's centre and
 * sample count), trains the global model it receives, and sends back its update.
 *
 * Behaviour: local training takes a compute time drawn per round from the site's `compute` stream
 * (lognormal around the median; a straggler site, drawn once from its `data` stream, is a constant
 * factor slower; a `slow-node` fault multiplies it by `ctx.cpuSlowdown()`), then E gradient steps on
 * f_i run and the update (`updateBytes` on the wire, so a weak link delays it) goes to the server.
 * A model that arrives while the site is training waits: the site finishes and sends its current
 * update (the server discards it as late if the round moved on — wasted work), then trains the
 * newest model it was sent. A re-sent model for an attempt already answered gets the cached update
 * again (the first may have been lost).
 *
 * How it fails: a crash loses the training in progress (no `train` record, nothing sent). The
 * dataset is on the site's disk (fsynced at start), so a restarted site rejoins with the same data
 * when the server's next model or re-send reaches it. A crash before that first fsync completes
 * loses the dataset; the site then draws a new one (a `state` record `op: redraw`), as a site that lost
 * its data would have to re-collect it. Shown by test/features/federated/federated.test.ts (a
 * node crash 10 µs in redraws; the gallery's crash at 20 min reads the same data back).
 *
 * Records: `state` `op: data` (samples, straggler, centre) and `op: train` (round, started,
 * computeUs) when an update is sent.
 */
import type { Actor, Context, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { CONTROL_BYTES, type FlSiteConfig, type JoinMessage, type ModelMessage, type ToSite, type UpdateMessage } from './config.ts';
import { trainLocally, type Vector } from '../shared/objective.ts';

const DATA_FILE = 'fl-data';
/** Samples per site are uniform in this range (a few hundred to a few thousand records). */
const SAMPLES_MIN = 200;
const SAMPLES_MAX = 2000;
/** Centres are drawn N(CENTRE_MEAN, 1) per coordinate: a shared signal with non-IID spread. */
const CENTRE_MEAN = 2;

interface SiteData {
  readonly centre: Vector;
  readonly samples: number;
  readonly straggler: boolean;
}

interface Training {
  readonly model: ModelMessage;
  readonly computeUs: Micros;
  readonly timer: TimerId;
}

export class FlSite implements Actor<ToSite> {
  private data!: SiteData;
  private training: Training | undefined;
  /** The newest model that arrived while training. */
  private next: ModelMessage | undefined;
  private lastSent: UpdateMessage | undefined;

  constructor(private readonly config: FlSiteConfig) {}

  start(ctx: Context): void {
    this.data = this.draw(ctx);
    ctx.disk.put(DATA_FILE, this.data, 64 + 8 * this.config.modelDim);
    ctx.disk.fsync();
    ctx.record('state', { op: 'data', samples: this.data.samples, straggler: this.data.straggler, centre: [...this.data.centre] });
  }

  recover(ctx: Context): void {
    const saved = ctx.disk.get(DATA_FILE) as SiteData | undefined;
    if (saved !== undefined) {
      this.data = saved;
      return;
    }
    ctx.record('state', { op: 'redraw' });
    this.start(ctx);
  }

  onMessage(ctx: Context, message: ToSite, from: string): void {
    if (message.type === 'fl-hello') {
      const join: JoinMessage = { type: 'fl-join', centre: this.data.centre, samples: this.data.samples };
      ctx.send(from, join, { bytes: CONTROL_BYTES });
      return;
    }
    if (this.lastSent !== undefined && this.lastSent.started === message.started) {
      ctx.send(this.config.server, this.lastSent, { bytes: this.config.updateBytes });
      return;
    }
    if (this.training === undefined) return this.train(ctx, message);
    if (this.training.model.started === message.started) return;
    if (this.next === undefined || message.started > this.next.started) this.next = message;
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name !== 'trained' || this.training === undefined) return;
    const { model, computeUs } = this.training;
    this.training = undefined;
    const weights = trainLocally(model.weights, this.data.centre, { learningRate: this.config.learningRate, steps: this.config.localSteps });
    const update: UpdateMessage = { type: 'fl-update', round: model.round, started: model.started, weights, samples: this.data.samples };
    this.lastSent = update;
    ctx.record('state', { op: 'train', round: model.round, started: model.started, computeUs });
    ctx.send(this.config.server, update, { bytes: this.config.updateBytes });
    const next = this.next;
    this.next = undefined;
    if (next !== undefined) this.train(ctx, next);
  }

  private train(ctx: Context, model: ModelMessage): void {
    const computeUs = this.computeTime(ctx);
    this.training = { model, computeUs, timer: ctx.setTimer(computeUs, 'trained') };
  }

  /** Lognormal around the median, times the straggler factor and the node's CPU slowdown. */
  private computeTime(ctx: Context): Micros {
    const { medianUs, sigma, stragglerSlowdown } = this.config.compute;
    const spread = sigma > 0 ? ctx.rng('compute').lognormal(0, sigma) : 1;
    const straggler = this.data.straggler ? stragglerSlowdown : 1;
    return Math.max(1, Math.round(medianUs * spread * straggler * ctx.cpuSlowdown()));
  }

  private draw(ctx: Context): SiteData {
    const rng = ctx.rng('data');
    const centre = Array.from({ length: this.config.modelDim }, () => rng.normal(CENTRE_MEAN, 1));
    const samples = rng.int(SAMPLES_MIN, SAMPLES_MAX);
    const straggler = rng.chance(this.config.compute.stragglerProbability);
    return { centre, samples, straggler };
  }
}
