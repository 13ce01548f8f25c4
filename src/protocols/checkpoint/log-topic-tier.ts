/**
 * The `log-topic` checkpoint tier: a compacted topic of a replicated log service
 * (`cleanup.policy: compact`), as the issue asks for "a compacted topic in the replicated log itself".
 *
 * Saving an entry produces one record, in a batch of its own, to the partition the operator
 * instance's name hashes to: key `<instance>#<id>` (the checkpoint's own key), payload the entry,
 * acks as configured (all by default). `done(true)` comes with the acknowledgement. Entries that the
 * catalog's retention then drops (`catalog.ts`: everything before the second-latest full checkpoint,
 * except the chain of the last complete global one) are retired with tombstones (the key, a null
 * payload), and the log cleaner removes a record once a newer one has its key. This is how
 * incremental chains stay whole: a base is tombstoned only when no retained entry needs it, so
 * compaction never removes a base an incremental entry still chains to, and the partition's size is
 * bounded by the retained chains plus tombstones younger than `delete.retention.ms`.
 * A record re-sent after a lost reply is a duplicate with the same key and payload: the cleaner
 * removes it like any superseded record, so the producer needs no idempotence.
 *
 * Loading reads the partition from its start to the high watermark (the fetches of a consumer,
 * without a group), keeps this instance's records, applies the tombstones, and takes the chain the
 * catalog gives for the id (`latest`: the newest whole chain).
 *
 * Guarantee: with acks=all, replication factor ≥ 2 and `min.insync.replicas` ≥ 2, an acknowledged
 * checkpoint is on at least two brokers, so the latest checkpoint per key stays readable after a
 * broker is lost. Requests are re-sent (after a timeout, or a `not-leader` error and a metadata
 * refresh) until answered, so a broker crash delays a save or restore but never loses an
 * acknowledged one.
 *
 * How it breaks, by configuration: with acks=1 a save is acknowledged once the leader alone has it;
 * if the leader is then lost and an out-of-sync replica is elected (unclean leader election), the
 * new leader's log lacks the latest checkpoint, and recovery falls back to an older one, or to the
 * start. An instance restarted under a global strategy that restores nothing (target 0) reads
 * nothing before it saves, so the entries of its earlier incarnations are never tombstoned.
 */
import type { Context, Message, Micros, Wakeup } from '../../kernel/index.ts';
import { MS } from '../../kernel/index.ts';
import type { FetchReply, FetchRequest, MetadataReply, ProduceReply, ProduceRequest } from '../log/messages.ts';
import { tpKey } from '../log/messages.ts';
import { fnv1a } from '../log/record-accumulator.ts';
import { CheckpointCatalog, checkpointFile, keyOfFile } from './catalog.ts';
import type { LogTopicTierConfig } from './config.ts';
import type { StoredCheckpoint } from './image.ts';
import { CONTROL_BYTES, type Retention } from './messages.ts';
import { patienceUs, type TierClient } from './tiers.ts';

/** The log replies a log-topic tier may be waiting for; an operator offers them to its participant first. */
export const LOG_TIER_REPLIES: ReadonlySet<string> = new Set(['metadata-reply', 'produce-reply', 'fetch-reply']);

/** Pause after a refused request or an unknown leader, before asking again. */
const RETRY_BACKOFF_US = 100 * MS;
/** Bytes a fetch asks for: several full checkpoints at once. */
const FETCH_MAX_BYTES = 256 << 20;

/**
 * One request, re-sent until settled; `settle` returns false when the reply calls for a retry.
 * `bytes` go on the wire; `replyBytes` may come back (a fetch), and the patience covers both.
 */
interface Attempt {
  readonly request: (req: number, leader: string) => ProduceRequest | FetchRequest;
  readonly bytes: number;
  readonly replyBytes: number;
  readonly settle: (ctx: Context, reply: ProduceReply | FetchReply) => boolean;
  tries: number;
}

export class LogTopicTier implements TierClient {
  readonly tier = 'log-topic' as const;
  private readonly partition: number;
  private leader: { readonly broker: string; readonly epoch: number } | undefined;
  private metadataReq: number | undefined;
  private nextBroker = 0;
  /** Attempts waiting for a leader to be known. */
  private parked: Attempt[] = [];
  /** By request number: sent and not yet answered, or backing off before a retry. */
  private readonly sent = new Map<number, Attempt>();
  private readonly backingOff = new Map<number, Attempt>();
  /** What this incarnation knows the partition holds for its key: the last load, plus its own saves. */
  private catalog = new CheckpointCatalog();
  private nextReq: number;

  constructor(
    ctx: Context,
    private readonly config: LogTopicTierConfig,
    private readonly key: string,
    private readonly timeoutUs: Micros,
  ) {
    this.partition = fnv1a(key) % config.partitions;
    // Requests numbered from a random base, so replies meant for an earlier incarnation never match.
    this.nextReq = ctx.rng('ckpt-req:log-topic').int(1, 2 ** 40);
  }

  save(ctx: Context, entry: StoredCheckpoint, retention: Retention, done: (ok: boolean) => void): void {
    this.produce(ctx, checkpointFile(this.key, entry.id), entry, entry.bytes, (ok) => {
      if (!ok) return done(false);
      for (const id of this.catalog.add(this.key, entry, retention)) this.produce(ctx, checkpointFile(this.key, id), null, 0, () => undefined);
      ctx.record('ckpt', { op: 'stored', key: this.key, id: entry.id, bytes: entry.bytes, totalBytes: this.catalog.totalBytes(), tier: this.tier });
      done(true);
    });
  }

  load(ctx: Context, id: number | 'latest', done: (chain: readonly StoredCheckpoint[] | undefined) => void): void {
    const found = new Map<number, StoredCheckpoint>();
    const fetchFrom = (offset: number): void =>
      this.transmit(ctx, {
        request: (req) => ({ type: 'fetch', req, topic: this.config.topic, partition: this.partition, offset, maxBytes: FETCH_MAX_BYTES, maxWaitUs: 0 }),
        bytes: CONTROL_BYTES,
        replyBytes: FETCH_MAX_BYTES,
        tries: 0,
        settle: (_c, reply) => {
          const fetched = reply as FetchReply;
          if (fetched.error === 'offset-out-of-range' && fetched.logStart > offset) {
            // Retention moved the log's start past what we asked for: read on from there.
            fetchFrom(fetched.logStart);
            return true;
          }
          if (fetched.error !== undefined) return false;
          let next = offset;
          for (const batch of fetched.batches) {
            batch.keys?.forEach((key, i) => key !== null && this.take(found, key, batch.payloads?.[i]));
            next = batch.base + batch.events.length;
          }
          if (next < fetched.highWatermark && fetched.batches.length > 0) fetchFrom(next);
          else this.loaded(found, id, done);
          return true;
        },
      });
    fetchFrom(0);
  }

  onMessage(ctx: Context, message: Message): boolean {
    if (message.type === 'metadata-reply') return this.metadata(ctx, message as unknown as MetadataReply);
    if (message.type !== 'produce-reply' && message.type !== 'fetch-reply') return false;
    const reply = message as unknown as ProduceReply | FetchReply;
    const attempt = this.sent.get(reply.req);
    if (attempt === undefined || reply.topic !== this.config.topic) return false;
    this.sent.delete(reply.req);
    if (!attempt.settle(ctx, reply)) this.backOff(ctx, reply.req, attempt);
    return true;
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    const req = wakeup.data as number;
    switch (wakeup.name) {
      case 'ckpt:log-timeout': {
        const attempt = this.sent.get(req);
        this.sent.delete(req);
        if (attempt !== undefined) this.backOff(ctx, req, attempt);
        return true;
      }
      case 'ckpt:log-retry': {
        const attempt = this.backingOff.get(req);
        this.backingOff.delete(req);
        if (attempt !== undefined) this.transmit(ctx, attempt);
        return true;
      }
      case 'ckpt:log-metadata-timeout':
        if (this.metadataReq === req) {
          this.metadataReq = undefined;
          this.refreshMetadata(ctx);
        }
        return true;
      default:
        return false;
    }
  }

  /** Produces one keyed record (payload null: a tombstone) in a batch of its own; `done(false)` only when the broker's disk is full. */
  private produce(ctx: Context, key: string, payload: StoredCheckpoint | null, bytes: number, done: (ok: boolean) => void): void {
    const { topic, acks } = this.config;
    // The leader holds an acks=all request while followers copy the record: as long as it takes to send.
    const holdUs = patienceUs(this.timeoutUs, bytes, 0);
    this.transmit(ctx, {
      request: (req) => ({ type: 'produce', req, topic, partition: this.partition, events: [key], bytes, acks, timeoutUs: holdUs, payloads: [payload], keys: [key] }),
      bytes: CONTROL_BYTES + bytes,
      replyBytes: bytes,
      tries: 0,
      settle: (_c, reply) => {
        if (reply.error === 'kafka-storage-error') done(false);
        else if (reply.error === undefined) done(true);
        return reply.error === undefined || reply.error === 'kafka-storage-error';
      },
    });
  }

  /** Keeps the newest value of each of this instance's keys: an entry, or a tombstone that removes it. */
  private take(found: Map<number, StoredCheckpoint>, key: string, payload: unknown): void {
    if (keyOfFile(key) !== this.key) return;
    const id = Number(key.slice(key.lastIndexOf('#') + 1));
    if (payload === null || payload === undefined) found.delete(id);
    else found.set(id, payload as StoredCheckpoint);
  }

  private loaded(found: ReadonlyMap<number, StoredCheckpoint>, id: number | 'latest', done: (chain: readonly StoredCheckpoint[] | undefined) => void): void {
    this.catalog = new CheckpointCatalog();
    const ids = [...found.keys()].sort((a, b) => a - b);
    for (const each of ids) this.catalog.add(this.key, found.get(each)!, { all: true });
    done(this.catalog.chain(this.key, id));
  }

  private transmit(ctx: Context, attempt: Attempt): void {
    if (this.leader === undefined) {
      this.parked.push(attempt);
      this.refreshMetadata(ctx);
      return;
    }
    const req = this.nextReq++;
    this.sent.set(req, attempt);
    const request = attempt.request(req, this.leader.broker);
    ctx.send(this.leader.broker, request, { bytes: attempt.bytes });
    // Long enough for the request to arrive and the leader to hold it (`replyBytes` covers both for a produce).
    ctx.setTimer(patienceUs(this.timeoutUs, attempt.bytes + attempt.replyBytes, attempt.tries++), 'ckpt:log-timeout', req);
  }

  /** A refused or unanswered request: the leader may have moved; ask for metadata and try again shortly. */
  private backOff(ctx: Context, req: number, attempt: Attempt): void {
    this.leader = undefined;
    this.backingOff.set(req, attempt);
    ctx.setTimer(RETRY_BACKOFF_US, 'ckpt:log-retry', req);
  }

  private refreshMetadata(ctx: Context): void {
    if (this.metadataReq !== undefined) return;
    const req = this.nextReq++;
    this.metadataReq = req;
    const brokers = this.config.brokers;
    ctx.send(brokers[this.nextBroker++ % brokers.length]!, { type: 'metadata', req });
    ctx.setTimer(this.timeoutUs, 'ckpt:log-metadata-timeout', req);
  }

  private metadata(ctx: Context, reply: MetadataReply): boolean {
    if (reply.req !== this.metadataReq) return false;
    this.metadataReq = undefined;
    const meta = reply.partitions.find((p) => tpKey(p.topic, p.partition) === tpKey(this.config.topic, this.partition));
    if (meta?.leader !== null && meta !== undefined && (this.leader === undefined || meta.leaderEpoch >= this.leader.epoch)) {
      this.leader = { broker: meta.leader, epoch: meta.leaderEpoch };
    }
    const parked = this.parked;
    this.parked = [];
    if (this.leader === undefined) {
      // No leader yet (an election in progress): the parked attempts back off and ask again.
      for (const attempt of parked) this.backOff(ctx, this.nextReq++, attempt);
      return true;
    }
    for (const attempt of parked) this.transmit(ctx, attempt);
    return true;
  }
}
