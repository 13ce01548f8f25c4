/**
 * The `log-topic` checkpoint tier: a compacted topic of a replicated log service
 * (`cleanup.policy: compact`), as the issue asks for "a compacted topic in the replicated log itself".
 *
 * Saving an entry produces it as chunks, each a record in a batch of its own, to the partition the
 * operator instance's name hashes to: key `<instance>#<id>#<k>` (the checkpoint's own key and the
 * chunk's index), payload the chunk's index (the first also carries the entry), acks as configured
 * (all by default). A chunk with its batch and record overhead and its key fits the topic's
 * `max.message.bytes` (`recordBytesMax`, 1 MiB by default) and the tier producer's
 * `max.request.size` (Kafka's 1 MiB, raised to `max.message.bytes` as a user who raises that must),
 * so a chunk carries a little under 1 MiB. Several chunks are in flight at a time and each is re-sent
 * on its own, so a request that fails costs one chunk, not the image. Once every chunk is
 * acknowledged the save's commit record (key `<instance>#<id>#commit`, payload the chunk count) is
 * produced, and `done(true)` comes when it is acknowledged: as Kafka's transaction markers make a
 * transaction's records visible, or Flink's `_metadata` file, written last, makes a checkpoint
 * restorable, a checkpoint without its commit record does not exist for a load. Entries that the
 * catalog's retention then drops (`catalog.ts`: everything before the second-latest full checkpoint,
 * except the chain of the last complete global one) are retired with a tombstone per chunk and one
 * for the commit record (the key, a null payload), and the log cleaner removes a record once a newer
 * one has its key. This is how incremental chains stay whole: a base is tombstoned only when no
 * retained entry needs it, so compaction never removes a base an incremental entry still chains to,
 * and the partition's size is bounded by the retained chains plus tombstones younger than
 * `delete.retention.ms`. A record re-sent after a lost reply is a duplicate with the same key and
 * payload: the cleaner removes it like any superseded record, so the producer needs no idempotence.
 *
 * Loading reads the partition from its start to the high watermark (the fetches of a consumer
 * without a group: `fetch.max.bytes` 50 MiB, `max.partition.fetch.bytes` 1 MiB — at least one whole
 * record batch however large —, no wait), keeps this instance's records, applies the tombstones,
 * keeps the checkpoints with their commit record and every chunk it counts readable (a save
 * interrupted by a crash leaves some chunks and no commit record: no checkpoint), except those this
 * incarnation gave up, and takes the chain the catalog gives for the id (`latest`: the newest whole
 * chain). Keys are distinct, so compaction never removes a chunk a tombstone has not retired. A
 * topic has no index, so `newest` (which level holds the newest checkpoint, asked by a multilevel
 * restart) is such a read, and a `load` of that id right after it takes what the read found.
 *
 * It is a Kafka client like the others (client-network.ts, in-flight-requests.ts): metadata from
 * the least-loaded reachable broker, `request.timeout.ms` 30 s for every request whatever its size
 * (checked when the tier wakes, one timer), `retry.backoff.ms` 100 ms, at most five requests in flight
 * to the leader — one while the connection to it is being set up — a connection set-up timeout of
 * 10 s doubling to 30 s (KIP-601), a timed-out request closing the connection (the others to that
 * broker fail with it), reconnect backoff after a broken connection. A request that fails is re-sent
 * after its retry backoff (or the broker's reconnect backoff if longer) — for a produce the
 * producer's KIP-580 backoff, `retry.backoff.ms` 100 ms doubling per retry of that record up to
 * `retry.backoff.max.ms` 1 s, ±20 % at random; for a fetch 100 ms —; one that never reached its broker
 * goes back unattempted. A chunk (or commit record) not acknowledged `delivery.timeout.ms` after it
 * was produced — the scenario's `checkpoint.tiers.log-topic["delivery.timeout.ms"]`, Kafka's 120 s
 * by default, at least linger.ms (0) + request.timeout.ms (30 s) as Kafka requires — fails, and its
 * save with it, whether it is waiting for a leader, backing off (its retry timer goes) or out to a
 * broker (an answer that comes later settles nothing), as Kafka's producer fails a send; the
 * checkpoint writer then records the save `failed` and makes the next checkpoint full (writer.ts),
 * as for any refused save. A failed save is abandoned: this incarnation never loads it, its chunks
 * still waiting or backing off are dropped, and what it may have written is tombstoned — its
 * chunks, and its commit record if produced, that tombstone re-sent until acknowledged (no delivery
 * timeout, as Kafka's transaction coordinator writes an abort marker) — so a commit record a broker
 * appended after the client gave up is superseded in the log as well. Chunks are produced a few at a
 * time, so the timeout bounds each chunk, not the image: a large image that keeps being
 * acknowledged takes as long as it needs.
 *
 * Guarantee: a load takes only a save that completed — every chunk, then its commit record,
 * acknowledged before its delivery timeout; a save declared failed is not completed by a late
 * acknowledgement. With acks=all, replication factor ≥ 2 and `min.insync.replicas` ≥ 2, an
 * acknowledged checkpoint is on at least two brokers, so the latest checkpoint per key stays
 * readable after a broker is lost. Requests are re-sent (after a timeout, or a `not-leader` error and
 * a metadata refresh) until answered or until their record's delivery timeout, so a broker crash
 * delays a save or restore but never loses an acknowledged one, and a save settles — saved or
 * failed — at most `delivery.timeout.ms` after its last record was produced, never stalls. Loads
 * have no such bound (a consumer's fetches retry for ever): a restore waits for the log.
 *
 * How it breaks, by configuration: with acks=1 a save is acknowledged once the leader alone has it;
 * if the leader is then lost and an out-of-sync replica is elected (unclean leader election), the
 * new leader's log lacks the latest checkpoint, and recovery falls back to an older one, or to the
 * start. A log unreachable (no leader, or no answer) for longer than `delivery.timeout.ms` fails
 * the saves meanwhile, so recovery falls back to the checkpoint before them. A commit record a
 * broker appended after the client gave it up makes its failed save loadable by a later incarnation
 * only if the instance died before that record's tombstone was acknowledged, or if the log lost the
 * tombstone and kept the commit record (acks=1 and an unclean election). A chunk out to a broker when
 * its save was given up may still be appended (after its tombstone if it reaches a later leader): it
 * stays, never loaded without its commit record. So may a commit record out to a broker when its
 * delivery timeout fired, and it then outlives its tombstone; its save still does not load, because
 * its chunks — all acknowledged before the commit record was produced — were tombstoned after them,
 * and a load needs every chunk the commit record counts (unless the instance died first, as above). A retirement tombstone that expired leaves its
 * checkpoint in the partition until a load finds it (the catalog knows only what it saved or read).
 * An instance restarted under a global strategy that restores nothing (target 0) reads
 * nothing before it saves, so the entries of its earlier incarnations are never tombstoned.
 */
import type { Context, Disconnect, Message, Micros, TimerId, Wakeup } from '../../../kernel/contract/index.ts';
import { fnv1a, MS, SECOND } from '../../../kernel/contract/index.ts';
import type { FetchPartitionReply, FetchReply, FetchRequest, MetadataReply, ProducePartitionReply, ProduceReply, ProduceRequest } from '../../log/actors/index.ts';
import { ClientNetwork, ExponentialBackoff, FETCH_MAX_BYTES_DEFAULT, batchSizeInBytes, InFlightRequests, MAX_PARTITION_FETCH_BYTES_DEFAULT, RETRY_BACKOFF_MAX_DEFAULT_US, RequestDeadlines, fetchOne, produceOne } from '../../log/actors/index.ts';
import { CheckpointCatalog, checkpointFile, keyOfFile } from './catalog.ts';
import { LOG_TIER_REQUEST_TIMEOUT_US, type LogTopicTierConfig } from './config.ts';
import type { StoredCheckpoint } from './image.ts';
import { CONTROL_BYTES, type Retention } from './messages.ts';
import type { TierClient } from './tiers.ts';

/** The log replies a log-topic tier may be waiting for; an operator offers them to its participant first. */
export const LOG_TIER_REPLIES: ReadonlySet<string> = new Set(['metadata-reply', 'produce-reply', 'fetch-reply']);

/** Kafka's client defaults: request.timeout.ms 30 s (config.ts), retry.backoff.ms 100 ms, max.in.flight.requests.per.connection 5. */
const RETRY_BACKOFF_US = 100 * MS;
const MAX_IN_FLIGHT = 5;
/** Kafka's delivery.timeout.ms default: the longest a produced record waits to be acknowledged before its send fails. */
export const DELIVERY_TIMEOUT_US = 120 * SECOND;
/** Kafka's default `max.message.bytes` (and the producer's `max.request.size`): the largest record batch a broker accepts. */
export const RECORD_BYTES_MAX_DEFAULT = 1 << 20;
/**
 * What a one-record batch adds to its payload besides the key, as Kafka's producer bounds it before
 * checking `max.request.size`: the batch header (DefaultRecordBatch.RECORD_BATCH_OVERHEAD, 61 B)
 * and a record's largest overhead (DefaultRecord.MAX_RECORD_OVERHEAD, 21 B) — the log feature's
 * `batchSizeInBytes`, which the pipeline's log streams check too.
 */
export const RECORD_OVERHEAD_BYTES = batchSizeInBytes(0, 1);
/** Chunks of one image in flight at once: with a tombstone or a fetch beside them, within max.in.flight. */
const CHUNKS_IN_FLIGHT = 4;

/** The payload of one chunk record; the first chunk carries the entry (its bytes are modelled across all). */
interface Chunk {
  readonly k: number;
  readonly entry?: StoredCheckpoint;
}

/** The payload of a save's commit record: written once every chunk is acknowledged, it names how many there are. */
interface Commit {
  readonly chunks: number;
}

/** What a load found of one checkpoint id: the chunks still readable, the entry if chunk 0 is, the commit record's chunk count if it is. */
interface Found {
  committed: number | undefined;
  readonly chunks: Set<number>;
  entry: StoredCheckpoint | undefined;
}

/** One request, re-sent until settled; `settle` returns false when the reply calls for a retry. `bytes` go on the wire. */
interface Attempt {
  readonly request: (req: number) => ProduceRequest | FetchRequest;
  readonly bytes: number;
  readonly settle: (ctx: Context, reply: ProducePartitionReply | FetchPartitionReply) => boolean;
  /** Past its delivery timeout, or its save abandoned (a produce only): it is never sent again, and its answer settles nothing. */
  expired?: true;
  /** Its retry timer while it backs off. */
  retry?: { readonly id: number; readonly timer: TimerId };
  /** A produce's retries so far: its pause grows with them (KIP-580); absent for a fetch. */
  retries?: number;
}

/** A produce the tier may give up before it settles: its save failed (see `abandon`). */
interface Produced {
  cancel(ctx: Context): void;
}

export class LogTopicTier implements TierClient {
  readonly tier = 'log-topic' as const;
  private readonly partition: number;
  private readonly network: ClientNetwork;
  private readonly requests: InFlightRequests<Attempt>;
  /** Attempts to send, in order, while no leader is known, its broker is in reconnect backoff or max.in.flight is reached. */
  private waiting: Attempt[] = [];
  /** Attempts backing off before a retry, by the number of their timer. */
  private readonly backingOff = new Map<number, Attempt>();
  /** Produce attempts not yet settled, by their delivery deadline; each fails its save when due. */
  private readonly deliveries = new RequestDeadlines<(ctx: Context) => void>('ckpt:log-delivery-timeout');
  /** The timer that sends the waiting attempts when the leader's reconnect backoff ends. */
  private wake: { readonly atUs: Micros; readonly id: TimerId } | undefined;
  /** What this incarnation knows the partition holds for its key: the last load, plus its own saves. */
  private catalog = new CheckpointCatalog();
  /** How many chunks each checkpoint the catalog holds was written in, for its tombstones. */
  private chunksOf = new Map<number, number>();
  /** The chain the last `newest` read, for the `load` that follows it. */
  private probed: readonly StoredCheckpoint[] | undefined;
  /**
   * Saves this incarnation gave up: never loaded, whatever of them the log holds (see `abandon`).
   * It is not pruned, and stays small: it gains one number per failed save, and a save fails only
   * when one of its records reaches its delivery timeout (at least 30 s after it was produced), so
   * it grows only with the checkpoints taken while the log is unreachable for that long (3,600
   * numbers for an hour's outage at a 1 s interval); a new incarnation starts it empty. Forgetting ids below the latest committed save would not be safe: a chunk and the
   * commit record that both reached a broker after their tombstones make that save loadable again,
   * and `latest` would take it if the log then lost the newer save (acks=1, an unclean election).
   */
  private readonly abandoned = new Set<number>();
  private readonly recordBytesMax: number;
  private readonly deliveryTimeoutUs: Micros;
  private readonly retryBackoff = new ExponentialBackoff(RETRY_BACKOFF_US, RETRY_BACKOFF_MAX_DEFAULT_US);
  private nextReq: number;

  constructor(
    ctx: Context,
    private readonly config: LogTopicTierConfig,
    private readonly key: string,
  ) {
    this.partition = fnv1a(key) % config.partitions;
    this.recordBytesMax = config.recordBytesMax ?? RECORD_BYTES_MAX_DEFAULT;
    this.deliveryTimeoutUs = config.deliveryTimeoutUs ?? DELIVERY_TIMEOUT_US;
    // Requests numbered from a random base, so replies meant for an earlier incarnation never match.
    this.nextReq = ctx.rng('ckpt-req:log-topic').int(1, 2 ** 40);
    // Its own metadata timer: the operator's stream transport, in the same actor, has one too.
    this.network = new ClientNetwork(config.brokers, LOG_TIER_REQUEST_TIMEOUT_US, RETRY_BACKOFF_US, () => this.nextReq++, {
      load: (broker) => this.requests.count(broker),
      metadataTimer: 'ckpt:log-metadata-timeout',
    });
    this.requests = new InFlightRequests(this.network, LOG_TIER_REQUEST_TIMEOUT_US, 'ckpt:log-timeout', {
      lost: (c, broker, attempts) => {
        // Those that never reached the broker go back unattempted, in order, ahead of the rest.
        this.waiting.unshift(...attempts.filter((a) => a.outcome === 'put-back').map((a) => a.request));
        this.pump(c);
        // The failed are re-sent after their retry backoff, or when the broker may be connected to again if later.
        const readyInUs = this.network.connections.readyAt(broker) - c.now();
        for (const { request, outcome } of attempts) if (outcome !== 'put-back') this.backOff(c, request, readyInUs);
      },
    });
  }

  /**
   * Produces the entry's chunks, then — every one acknowledged — its commit record; saved once that
   * is acknowledged. A chunk or the commit record that fails fails the save, which is abandoned.
   */
  save(ctx: Context, entry: StoredCheckpoint, retention: Retention, done: (ok: boolean) => void): void {
    const chunks = this.chunkCount(entry);
    const commit = chunkKey(this.key, entry.id, 'commit');
    this.produceChunks(ctx, entry, (ok, produced) => {
      if (!ok) return this.abandon(ctx, entry.id, produced, done);
      const committed = this.produce(ctx, commit, { chunks } satisfies Commit, 0, (saved) => {
        if (!saved) return this.abandon(ctx, entry.id, [...produced, committed], done, commit);
        this.chunksOf.set(entry.id, chunks);
        for (const id of this.catalog.add(this.key, entry, retention)) this.retire(ctx, id);
        ctx.record('ckpt', { op: 'stored', key: this.key, id: entry.id, bytes: entry.bytes, totalBytes: this.catalog.totalBytes(), tier: this.tier });
        done(true);
      });
    });
  }

  /**
   * A save failed: it is never loaded by this incarnation; its produces still waiting or backing off
   * are cancelled (one out to a broker may still be appended), and what it may have written is
   * tombstoned — every chunk it produced, and its commit record if sent, that tombstone re-produced
   * until acknowledged, so no later load takes the save for complete (see the header).
   */
  private abandon(ctx: Context, id: number, produced: readonly Produced[], done: (ok: boolean) => void, commit?: string): void {
    this.abandoned.add(id);
    ctx.record('state', { op: 'ckpt-save-abandoned', key: this.key, id });
    for (const each of produced) each.cancel(ctx);
    const chunks = commit === undefined ? produced.length : produced.length - 1;
    for (let k = 0; k < chunks; k++) this.produce(ctx, chunkKey(this.key, id, k), null, 0, () => undefined);
    if (commit !== undefined) this.tombstoneUntilAcknowledged(ctx, commit);
    done(false);
  }

  /** A tombstone with no delivery timeout, retried until acknowledged (as Kafka's transaction coordinator writes its markers). */
  private tombstoneUntilAcknowledged(ctx: Context, key: string): void {
    this.produce(ctx, key, null, 0, () => undefined, { untilAcknowledged: true });
  }

  load(ctx: Context, id: number | 'latest', done: (chain: readonly StoredCheckpoint[] | undefined) => void): void {
    const probed = this.probed;
    this.probed = undefined;
    if (probed !== undefined && probed.at(-1)?.id === id) return done(probed);
    this.read(ctx, id, done);
  }

  newest(ctx: Context, done: (id: number | undefined) => void): void {
    this.read(ctx, 'latest', (chain) => {
      this.probed = chain;
      done(chain?.at(-1)?.id);
    });
  }

  /** Reads the partition and answers with the chain for `id` (see the header). */
  private read(ctx: Context, id: number | 'latest', done: (chain: readonly StoredCheckpoint[] | undefined) => void): void {
    const found = new Map<number, Found>();
    const { topic } = this.config;
    const fetchFrom = (offset: number): void =>
      this.transmit(ctx, {
        request: (req) => ({ ...fetchOne(req, { topic, partition: this.partition, offset, maxBytes: MAX_PARTITION_FETCH_BYTES_DEFAULT }, 0), maxBytes: FETCH_MAX_BYTES_DEFAULT }),
        bytes: CONTROL_BYTES,
        settle: (_c, reply) => {
          const fetched = reply as FetchPartitionReply;
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

  onMessage(ctx: Context, message: Message, from: string): boolean {
    if (message.type === 'metadata-reply') {
      if (!this.network.metadata.onReply(ctx, message as unknown as MetadataReply)) return false;
      this.network.heard(from);
      this.pump(ctx);
      return true;
    }
    if (message.type !== 'produce-reply' && message.type !== 'fetch-reply') return false;
    const reply = message as unknown as ProduceReply | FetchReply;
    // The tier reads and writes one partition per request: its reply's one partition.
    const part = reply.partitions[0];
    if (part?.topic !== this.config.topic || !this.requests.has(reply.req)) return false;
    const attempt = this.requests.answered(reply.req)!;
    if (!attempt.settle(ctx, part)) {
      if (part.error === 'not-leader' || part.error === 'unknown-partition') this.network.refresh(ctx);
      this.backOff(ctx, attempt);
    }
    this.pump(ctx);
    return true;
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    switch (wakeup.name) {
      case 'ckpt:log-timeout':
        if (!this.requests.onTimer(ctx, wakeup)) return false;
        break;
      case 'ckpt:log-retry': {
        const attempt = this.backingOff.get(wakeup.data as number);
        if (attempt === undefined) return false;
        this.backingOff.delete(wakeup.data as number);
        delete attempt.retry;
        this.waiting.push(attempt);
        break;
      }
      case 'ckpt:log-wake':
        if (wakeup.data !== this) return false;
        this.wake = undefined;
        break;
      case 'ckpt:log-metadata-timeout':
        if (this.network.metadata.onTimeout(ctx, wakeup.data as number)) this.network.refresh(ctx);
        return true;
      case 'ckpt:log-delivery-timeout': {
        const due = this.deliveries.expired(ctx, wakeup);
        if (due === null) return false;
        for (const fail of due) fail(ctx);
        break;
      }
      default:
        return false;
    }
    this.pump(ctx);
    return true;
  }

  /** The payload bytes of each chunk of `entry`: its key and the overhead fit under the limits (see the header). */
  private chunkBytes(entry: StoredCheckpoint): number {
    // The key's bytes, with room for the largest chunk index.
    const keyBytes = new TextEncoder().encode(checkpointFile(this.key, entry.id)).length + 1 + 10;
    return Math.max(1, this.recordBytesMax - RECORD_OVERHEAD_BYTES - keyBytes);
  }

  private chunkCount(entry: StoredCheckpoint): number {
    return Math.max(1, Math.ceil(entry.bytes / this.chunkBytes(entry)));
  }

  /**
   * Produces an entry as its chunks, `CHUNKS_IN_FLIGHT` at a time; `done(true)` once all are
   * acknowledged, `done(false)` at the first refused — with what was produced so far, to cancel.
   */
  private produceChunks(ctx: Context, entry: StoredCheckpoint, done: (ok: boolean, produced: readonly Produced[]) => void): void {
    const of = this.chunkCount(entry);
    const size = this.chunkBytes(entry);
    const produced: Produced[] = [];
    let acknowledged = 0;
    let failed = false;
    const send = (): void => {
      const k = produced.length;
      const bytes = Math.min(size, entry.bytes - k * size);
      const chunk: Chunk = k === 0 ? { k, entry } : { k };
      produced.push(
        this.produce(ctx, chunkKey(this.key, entry.id, k), chunk, bytes, (ok) => {
          if (failed) return;
          if (!ok) {
            failed = true;
            return done(false, produced);
          }
          if (++acknowledged === of) return done(true, produced);
          if (produced.length < of) send();
        }),
      );
    };
    for (let i = 0; i < Math.min(CHUNKS_IN_FLIGHT, of); i++) send();
  }

  /** Tombstones every chunk, and the commit record, of a checkpoint the catalog no longer retains. */
  private retire(ctx: Context, id: number): void {
    const of = this.chunksOf.get(id) ?? 1;
    this.chunksOf.delete(id);
    for (let k = 0; k < of; k++) this.produce(ctx, chunkKey(this.key, id, k), null, 0, () => undefined);
    this.produce(ctx, chunkKey(this.key, id, 'commit'), null, 0, () => undefined);
  }

  /**
   * Produces one keyed record (payload null: a tombstone) in a batch of its own; `done(false)` at its
   * delivery timeout, or when retrying cannot help: the broker's disk is full, or the record is
   * larger than the topic's `max.message.bytes` (MESSAGE_TOO_LARGE is not retriable in Kafka: the
   * save fails, and says why). `untilAcknowledged`: no delivery timeout, and a full disk is retried.
   */
  private produce(ctx: Context, key: string, payload: Chunk | Commit | null, bytes: number, done: (ok: boolean) => void, { untilAcknowledged = false } = {}): Produced {
    const { topic, acks } = this.config;
    const attempt: Attempt = {
      // The leader may hold an acks=all request for request.timeout.ms while followers copy the record.
      request: (req) => produceOne(req, { topic, partition: this.partition, events: [key], bytes, payloads: [payload], keys: [key] }, acks, LOG_TIER_REQUEST_TIMEOUT_US),
      bytes: CONTROL_BYTES + bytes,
      retries: 0,
      settle: (c, reply) => {
        // Given up (its delivery timeout, or its save abandoned): a late answer (even an acknowledgement) changes nothing.
        if (attempt.expired) return true;
        if (reply.error === 'message-too-large') c.record('state', { op: 'ckpt-chunk-refused', key, bytes, error: reply.error });
        const final = reply.error === undefined || reply.error === 'message-too-large' || (reply.error === 'kafka-storage-error' && !untilAcknowledged);
        if (final) {
          this.deliveries.delete(expire);
          done(reply.error === undefined);
        }
        return final;
      },
    };
    const giveUp = (c: Context): void => {
      attempt.expired = true;
      this.deliveries.delete(expire);
      if (attempt.retry === undefined) return;
      // Backing off: its retry timer goes (an attempt waiting for a leader leaves at the next pump).
      c.cancelTimer(attempt.retry.timer);
      this.backingOff.delete(attempt.retry.id);
      delete attempt.retry;
    };
    const expire = (c: Context): void => {
      giveUp(c);
      c.record('state', { op: 'ckpt-chunk-expired', key, bytes });
      done(false);
    };
    if (!untilAcknowledged) this.deliveries.set(ctx, expire, ctx.now() + this.deliveryTimeoutUs);
    this.transmit(ctx, attempt);
    return {
      cancel: (c) => {
        if (!attempt.expired) giveUp(c);
      },
    };
  }

  /** Keeps the newest value of each of this instance's chunk keys: a chunk, or a tombstone that removes it. */
  private take(found: Map<number, Found>, key: string, payload: unknown): void {
    const file = keyOfFile(key);
    if (file === undefined || keyOfFile(file) !== this.key) return;
    const id = Number(file.slice(file.lastIndexOf('#') + 1));
    const suffix = key.slice(key.lastIndexOf('#') + 1);
    let seen = found.get(id);
    if (seen === undefined) {
      seen = { committed: undefined, chunks: new Set(), entry: undefined };
      found.set(id, seen);
    }
    const removed = payload === null || payload === undefined;
    if (suffix === 'commit') {
      seen.committed = removed ? undefined : (payload as Commit).chunks;
      return;
    }
    const k = Number(suffix);
    if (removed) {
      seen.chunks.delete(k);
      if (k === 0) seen.entry = undefined;
      return;
    }
    const chunk = payload as Chunk;
    seen.chunks.add(k);
    if (chunk.entry !== undefined) seen.entry = chunk.entry;
  }

  /** Catalogues the committed checkpoints whose every chunk was read and that this incarnation did not abandon, and answers with the chain for `id`. */
  private loaded(found: ReadonlyMap<number, Found>, id: number | 'latest', done: (chain: readonly StoredCheckpoint[] | undefined) => void): void {
    this.catalog = new CheckpointCatalog();
    this.chunksOf = new Map();
    const ids = [...found.keys()].sort((a, b) => a - b);
    for (const each of ids) {
      const { committed, chunks, entry } = found.get(each)!;
      if (entry === undefined || committed === undefined || chunks.size !== committed || this.abandoned.has(each)) continue;
      this.chunksOf.set(each, committed);
      this.catalog.add(this.key, entry, { all: true });
    }
    done(this.catalog.chain(this.key, id));
  }

  private transmit(ctx: Context, attempt: Attempt): void {
    this.waiting.push(attempt);
    this.pump(ctx);
  }

  /**
   * Sends the waiting attempts, in order, to the partition's leader while it may take more (see the
   * header). Without a usable leader it asks for metadata (the reply pumps again); a leader in
   * reconnect backoff is waited for; at max.in.flight the next answer pumps again.
   */
  private pump(ctx: Context): void {
    while (this.waiting.length > 0) {
      // An attempt past its delivery timeout leaves without a request (or a metadata refresh for it).
      if (this.waiting[0]!.expired) {
        this.waiting.shift();
        continue;
      }
      const leader = this.network.metadata.usableLeaderOf(this.config.topic, this.partition);
      if (leader === null) return this.network.refresh(ctx);
      const readyAt = this.network.connections.readyAt(leader);
      if (readyAt > ctx.now()) return this.wakeAt(ctx, readyAt);
      if (!this.requests.maySend(leader, MAX_IN_FLIGHT)) return;
      const attempt = this.waiting.shift()!;
      const req = this.nextReq++;
      ctx.send(leader, attempt.request(req), { bytes: attempt.bytes });
      this.requests.add(ctx, req, leader, attempt);
    }
  }

  private wakeAt(ctx: Context, atUs: Micros): void {
    if (this.wake !== undefined && this.wake.atUs <= atUs) return;
    if (this.wake !== undefined) ctx.cancelTimer(this.wake.id);
    // The timer's data is the tier: an operator may hold several tiers (multilevel).
    this.wake = { atUs, id: ctx.setTimer(atUs - ctx.now(), 'ckpt:log-wake', this) };
  }

  /**
   * The connection to a broker broke — its process died on a live host (kernel/contract/disconnect.ts):
   * as every Kafka client (in-flight-requests.ts), requests out to it fail now and are re-sent after
   * the retry backoff or the broker's reconnect backoff, whichever is longer (to whoever metadata then
   * names) — a refused connection attempt goes back unattempted — and a metadata request out to it is
   * asked of another broker at once.
   */
  disconnected(ctx: Context, disconnect: Disconnect): void {
    if (!this.config.brokers.includes(disconnect.peer)) return;
    this.requests.disconnected(ctx, disconnect);
    this.pump(ctx);
  }

  /**
   * A refused or unanswered attempt: sent again after its retry backoff, or `atLeastUs` if longer —
   * unless it was given up, which goes now. A produce's backoff is the producer's (KIP-580:
   * `retry.backoff.ms` doubling per retry up to `retry.backoff.max.ms`, ±20 % from the tier's seeded
   * stream); a fetch's is `retry.backoff.ms`.
   */
  private backOff(ctx: Context, attempt: Attempt, atLeastUs: Micros = 0): void {
    if (attempt.expired) return;
    const backoffUs = attempt.retries === undefined ? RETRY_BACKOFF_US : this.retryBackoff.backoff(attempt.retries++, ctx.rng('ckpt-retry:log-topic'));
    const id = this.nextReq++;
    this.backingOff.set(id, attempt);
    attempt.retry = { id, timer: ctx.setTimer(Math.max(backoffUs, atLeastUs), 'ckpt:log-retry', id) };
  }
}

/** A chunk's record key: the checkpoint's key (`checkpointFile`) and the chunk's index, or `commit` for its commit record. */
function chunkKey(key: string, id: number, k: number | 'commit'): string {
  return `${checkpointFile(key, id)}#${k}`;
}
