/**
 * A community alert broker (ALeRCE, ANTARES, Fink, Lasair, Pitt-Google): it consumes a survey's
 * alert stream — one alert per record — from a topic of the log service, keeps per-object history,
 * classifies the alerts against it, and sends what passes its filter to each of its subscribers.
 *
 * Consuming: the forwarders' log source (`LogSource`) reads committed alerts as a Kafka consumer
 * fetches them — one request per leader broker — and fails a fetch out to a broker whose process
 * died at once (`onDisconnect`); the broker classifies one step at a time — up to `maxPollRecords`
 * consecutive alerts of one partition, as a Kafka consumer's poll returns them — partitions taken
 * in turn, each alert costing `classifyUs` of compute (stretched by a `slow-node` fault). A step
 * ends with one notice to each subscriber, carrying the alerts of the step that passed.
 *
 * Guarantee — exactly once in the broker's state: every `checkpointUs` the broker writes its
 * per-object history together with, per partition, the offset after the last alert applied to it,
 * as one file, and fsyncs it. A restarted broker restores that file and fetches again from its
 * positions, so every alert of the log is applied to the history it restored exactly once,
 * however often the broker crashed. The `alerts-exactly-once` checker verifies this from the
 * `alert-apply` and `alert-restore` records.
 *
 * How it fails: its subscribers get at-least-once delivery, not exactly once — alerts applied
 * after the last checkpoint are applied again after a crash and their notices sent again (the
 * subscribers record every receipt; the `alerts` metric counts the duplicates). Alerts the
 * producer could not store are never seen. While the broker's region or its link to the log is
 * down, its alerts wait in the log and reach its subscribers late.
 *
 * Records (`state`): `alert-broker` (at start: service, topic), `alert-apply` (per step: partition,
 * offset of the first alert, `events` — the alert ids in offset order — and passed),
 * `alert-checkpoint` (when durable: positions, applied, digest), `alert-restore` (positions,
 * applied, digest of the history restored — coverage path `alerts.restore` — or
 * `fromCheckpoint: false`).
 */
import type { Actor, Context, Disconnect, Wakeup } from '../../../kernel/contract/index.ts';
import { LogSource, type SourceEvent } from '../../forward/actors/index.ts';
import { burstNominalUs, burstOfEvent } from '../../log/actors/index.ts';
import { NOTICE_HEADER_BYTES, type AlertBrokerConfig, type AlertNotice } from './config.ts';
import { ObjectHistory, type ObjectHistoryImage } from './object-history.ts';
import { Sky } from './sky.ts';

const CHECKPOINT_FILE = 'alert-broker-state';

interface Saved {
  readonly positions: readonly number[];
  readonly applied: number;
  readonly history: ObjectHistoryImage;
}

export class AlertBroker implements Actor {
  private history!: ObjectHistory;
  /** Per partition, the offset after the last alert applied to `history`. */
  private positions: number[] = [];
  /** Alerts applied to `history`. */
  private applied = 0;
  private dirty = false;
  private source!: LogSource;
  private sky!: Sky;
  private classifying: { readonly events: readonly SourceEvent[]; readonly partition: number } | undefined;
  /** The partition to look at first for the next step (partitions are taken in turn). */
  private turn = 0;

  constructor(private readonly config: AlertBrokerConfig) {}

  start(ctx: Context): void {
    this.history = ObjectHistory.empty(this.config.sky.objects);
    this.positions = new Array<number>(this.config.source.partitions).fill(0);
    ctx.record('state', { op: 'alert-broker', service: this.config.source.service, topic: this.config.source.topic });
    this.begin(ctx);
  }

  recover(ctx: Context): void {
    const saved = ctx.disk.get(CHECKPOINT_FILE) as Saved | undefined;
    if (saved === undefined) {
      ctx.record('state', { op: 'alert-restore', fromCheckpoint: false });
      return this.start(ctx);
    }
    this.history = ObjectHistory.restore(saved.history);
    this.positions = [...saved.positions];
    this.applied = saved.applied;
    ctx.record('state', { op: 'alert-restore', fromCheckpoint: true, positions: [...this.positions], applied: this.applied, digest: this.history.digest(), cover: 'alerts.restore' });
    this.begin(ctx);
  }

  onMessage(ctx: Context, message: { readonly type: string }, from: string): void {
    if (this.source.onMessage(ctx, message, from) !== undefined) this.classifyNext(ctx);
  }

  /** A source broker's process died: the fetch out to it fails now (log-source.ts). */
  onDisconnect(ctx: Context, { peer }: Disconnect): void {
    this.source.disconnected(ctx, peer);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (this.source.onTimer(ctx, wakeup.name, wakeup.data)) return;
    switch (wakeup.name) {
      case 'classified':
        this.classified(ctx);
        break;
      case 'checkpoint':
        this.checkpoint(ctx);
        break;
      case 'checkpointed':
        ctx.record('state', { op: 'alert-checkpoint', ...(wakeup.data as object) });
        break;
    }
  }

  private begin(ctx: Context): void {
    this.sky = new Sky(this.config.sky);
    this.source = new LogSource(ctx, this.config.source, this.config);
    this.source.start(ctx, this.positions);
    ctx.setTimer(this.config.checkpointUs, 'checkpoint');
  }

  /** Starts classifying the next step of fetched alerts, partitions in turn, unless one is in progress. */
  private classifyNext(ctx: Context): void {
    if (this.classifying !== undefined) return;
    const partitions = this.positions.length;
    for (let i = 0; i < partitions; i++) {
      const partition = (this.turn + i) % partitions;
      if (!this.source.hasPending(partition)) continue;
      const events = this.source.take(ctx, partition, this.config.maxPollRecords * this.config.alertBytes);
      this.source.send(ctx);
      this.classifying = { events, partition };
      this.turn = partition + 1;
      ctx.setTimer(Math.max(1, Math.round(events.length * this.config.classifyUs * ctx.cpuSlowdown())), 'classified');
      return;
    }
  }

  private classified(ctx: Context): void {
    const { events, partition } = this.classifying!;
    this.classifying = undefined;
    const offset = events[0]!.offset;
    events.forEach((event, i) => {
      if (event.offset !== this.positions[partition]! + i) {
        throw new Error(`alert broker ${ctx.self}: alert ${event.id} at offset ${event.offset} of partition ${partition}, expected ${this.positions[partition]! + i}`);
      }
    });
    // Alerts' ids are text (the alert producer's `<producer>-v<b>-<j>`; numbers are a pipeline's).
    const ids = events.map((event) => String(event.id));
    const classes = this.history.apply(this.sky.alerts(ids), this.config.minDetections);
    this.positions[partition] = offset + events.length;
    this.applied += events.length;
    this.dirty = true;
    const passed = classes.brightening + classes.fading + classes.steady;
    ctx.record('state', { op: 'alert-apply', partition, offset, events: ids, passed });
    const notice: AlertNotice = { type: 'alert-notice', partition, offset, alerts: events.length, visits: this.visitsOf(ids), ...classes };
    const bytes = NOTICE_HEADER_BYTES + passed * this.config.alertBytes;
    for (const subscriber of this.config.subscribers) ctx.send(subscriber, notice, { bytes });
    this.classifyNext(ctx);
  }

  /** The alerts' visits as `[visit end, alerts]` runs, in order. */
  private visitsOf(ids: readonly string[]): [number, number][] {
    const runs: [number, number][] = [];
    for (const id of ids) {
      const at = burstOfEvent(id);
      if (at === undefined) throw new Error(`alert broker: event ${id} is not an alert of a visit`);
      const visitUs = burstNominalUs(this.config.bursts, at.burst);
      const last = runs.at(-1);
      if (last !== undefined && last[0] === visitUs) last[1]++;
      else runs.push([visitUs, 1]);
    }
    return runs;
  }

  /** Writes the history with the positions it reflects, as one file, and makes it durable. */
  private checkpoint(ctx: Context): void {
    ctx.setTimer(this.config.checkpointUs, 'checkpoint');
    if (!this.dirty) return;
    this.dirty = false;
    const saved: Saved = { positions: [...this.positions], applied: this.applied, history: this.history.snapshot() };
    ctx.disk.put(CHECKPOINT_FILE, saved, this.history.bytes + 16 * this.positions.length);
    ctx.disk.fsync({ name: 'checkpointed', data: { positions: saved.positions, applied: saved.applied, digest: this.history.digest() } });
  }
}
