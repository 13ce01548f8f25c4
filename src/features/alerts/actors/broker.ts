/**
 * A community alert broker (ALeRCE, ANTARES, Fink, Lasair, Pitt-Google): it consumes a survey's
 * alert stream from a topic of the log service, keeps per-object history, classifies each packet
 * of alerts against it, and sends what passes its filter to each of its subscribers.
 *
 * Consuming: per partition, the forwarder's fetch loop (`LogSource`) reads committed packets from
 * the partition's leader; the broker classifies one packet at a time, partitions taken in turn,
 * each packet costing `classifyUs` of compute (stretched by a `slow-node` fault).
 *
 * Guarantee — exactly once in the broker's state: every `checkpointUs` the broker writes its
 * per-object history together with, per partition, the offset after the last packet applied to it,
 * as one file, and fsyncs it. A restarted broker restores that file and fetches again from its
 * positions, so every packet of the log is applied to the history it restored exactly once,
 * however often the broker crashed. The `alerts-exactly-once` checker verifies this from the
 * `alert-apply` and `alert-restore` records.
 *
 * How it fails: its subscribers get at-least-once delivery, not exactly once — packets applied
 * after the last checkpoint are applied again after a crash and their notices sent again (the
 * subscribers record every receipt; the `alerts` metric counts the duplicates). Packets the
 * producer could not store are never seen. While the broker's region or its link to the log is
 * down, its alerts wait in the log and reach its subscribers late.
 *
 * Records (`state`): `alert-broker` (at start: service, topic), `alert-apply` (packet, partition,
 * offset, passed), `alert-checkpoint` (when durable: positions, applied, digest), `alert-restore`
 * (positions, applied, digest of the history restored — coverage path `alerts.restore` — or
 * `fromCheckpoint: false`).
 */
import type { Actor, Context, Wakeup } from '../../../kernel/contract/index.ts';
import { LogSource, type SourceEvent } from '../../forward/actors/index.ts';
import { burstNominalUs, burstOfEvent } from '../../log/actors/index.ts';
import { NOTICE_HEADER_BYTES, type AlertBrokerConfig, type AlertNotice } from './config.ts';
import { ObjectHistory, type ObjectHistoryImage } from './object-history.ts';
import { packetAlerts } from './sky.ts';

const CHECKPOINT_FILE = 'alert-broker-state';

interface Saved {
  readonly positions: readonly number[];
  readonly applied: number;
  readonly history: ObjectHistoryImage;
}

export class AlertBroker implements Actor {
  private history!: ObjectHistory;
  /** Per partition, the offset after the last packet applied to `history`. */
  private positions: number[] = [];
  /** Packets applied to `history`. */
  private applied = 0;
  private dirty = false;
  private source!: LogSource;
  private classifying: { readonly event: SourceEvent; readonly partition: number } | undefined;
  /** The partition to look at first for the next packet (partitions are taken in turn). */
  private turn = 0;

  constructor(private readonly config: AlertBrokerConfig) {}

  start(ctx: Context): void {
    this.history = ObjectHistory.empty(this.config.packet.objects);
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

  onMessage(ctx: Context, message: { readonly type: string }): void {
    if (this.source.onMessage(ctx, message) !== undefined) this.classifyNext(ctx);
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
    this.source = new LogSource(ctx, this.config.source, this.config);
    this.source.start(ctx, this.positions);
    ctx.setTimer(this.config.checkpointUs, 'checkpoint');
  }

  /** Starts classifying the next fetched packet, partitions in turn, unless one is in progress. */
  private classifyNext(ctx: Context): void {
    if (this.classifying !== undefined) return;
    const partitions = this.positions.length;
    for (let i = 0; i < partitions; i++) {
      const partition = (this.turn + i) % partitions;
      if (!this.source.hasPending(partition)) continue;
      // maxBytes 0: exactly one packet.
      const [event] = this.source.take(ctx, partition, 0);
      this.classifying = { event: event!, partition };
      this.turn = partition + 1;
      ctx.setTimer(Math.max(1, Math.round(this.config.classifyUs * ctx.cpuSlowdown())), 'classified');
      return;
    }
  }

  private classified(ctx: Context): void {
    const { event, partition } = this.classifying!;
    this.classifying = undefined;
    if (event.offset !== this.positions[partition]) {
      throw new Error(`alert broker ${ctx.self}: packet ${event.id} at offset ${event.offset} of partition ${partition}, expected ${this.positions[partition]}`);
    }
    const burst = burstOfEvent(event.id);
    if (burst === undefined) throw new Error(`alert broker ${ctx.self}: event ${event.id} is not a packet of a visit`);
    const classes = this.history.apply(packetAlerts(this.config.packet, event.id), this.config.minDetections);
    this.positions[partition] = event.offset + 1;
    this.applied++;
    this.dirty = true;
    const passed = classes.brightening + classes.fading + classes.steady;
    ctx.record('state', { op: 'alert-apply', packet: event.id, partition, offset: event.offset, passed });
    const notice: AlertNotice = { type: 'alert-notice', packet: event.id, visitUs: burstNominalUs(this.config.bursts, burst.burst), ...classes };
    const bytes = NOTICE_HEADER_BYTES + passed * this.config.packet.alertBytes;
    for (const subscriber of this.config.subscribers) ctx.send(subscriber, notice, { bytes });
    this.classifyNext(ctx);
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
