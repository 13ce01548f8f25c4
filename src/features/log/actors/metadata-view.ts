/**
 * A client's view of the cluster's metadata: which broker leads each partition. Clients ask their
 * bootstrap brokers in turn (each broker answers from its metadata cache, so clients keep working
 * while the controller is down) and keep, per partition, the answer with the highest leader epoch,
 * so a broker with a stale cache cannot move a client back to an old leader.
 *
 * How it fails: a client whose metadata names a leader that lost its leadership learns it from a
 * `not-leader` error and refreshes; until the new leader's election reaches some broker's cache, it
 * retries against the old one.
 */
import type { Context, Micros, TimerId } from '../../../kernel/contract/index.ts';
import { tpKey, type MetadataReply, type PartitionMeta } from './messages.ts';

export class MetadataView {
  private readonly partitions = new Map<string, PartitionMeta>();
  private inFlight: { readonly req: number; readonly timer: TimerId } | null = null;
  private next = 0;

  constructor(
    private readonly brokers: readonly string[],
    private readonly timeoutUs: Micros,
  ) {}

  leaderOf(topic: string, partition: number): string | null {
    return this.partitions.get(tpKey(topic, partition))?.leader ?? null;
  }

  known(topic: string, partition: number): PartitionMeta | undefined {
    return this.partitions.get(tpKey(topic, partition));
  }

  /** Asks the next bootstrap broker, unless a request is already out. */
  refresh(ctx: Context, req: number): void {
    if (this.inFlight !== null) return;
    const broker = this.brokers[this.next++ % this.brokers.length]!;
    ctx.send(broker, { type: 'metadata', req });
    this.inFlight = { req, timer: ctx.setTimer(this.timeoutUs, 'metadata-timeout', req) };
  }

  /** Takes a reply in; true if it answered the request in flight. */
  onReply(ctx: Context, reply: MetadataReply): boolean {
    if (this.inFlight === null || reply.req !== this.inFlight.req) return false;
    ctx.cancelTimer(this.inFlight.timer);
    this.inFlight = null;
    for (const meta of reply.partitions) {
      const key = tpKey(meta.topic, meta.partition);
      const known = this.partitions.get(key);
      if (known === undefined || meta.leaderEpoch >= known.leaderEpoch) this.partitions.set(key, meta);
    }
    return true;
  }

  /** The request timed out; true if it was the one in flight (the caller may refresh again). */
  onTimeout(req: number): boolean {
    if (this.inFlight === null || this.inFlight.req !== req) return false;
    this.inFlight = null;
    return true;
  }
}
