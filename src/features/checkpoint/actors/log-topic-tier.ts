/**
 * The `log-topic` checkpoint tier: a compacted topic of a replicated log service
 * (`cleanup.policy: compact`), as the issue asks for "a compacted topic in the replicated log itself".
 *
 * Saving an entry produces it as chunks of at most `recordBytesMax` (Kafka's `max.message.bytes`,
 * 1 MiB by default), each a record in a batch of its own, to the partition the operator instance's
 * name hashes to: key `<instance>#<id>#<k>` (the checkpoint's own key and the chunk's index), payload
 * the chunk's index and count (the first also carries the entry), acks as configured (all by
 * default). A few chunks are in flight at a time and each is re-sent on its own, so a request that
 * times out costs one chunk, not the image: a 2 GiB image sent whole on brokers that also carry the
 * streams outlasts its acks=all request timeout again and again, and is re-sent whole each time.
 * `done(true)` comes when every chunk is acknowledged. Entries that the
 * catalog's retention then drops (`catalog.ts`: everything before the second-latest full checkpoint,
 * except the chain of the last complete global one) are retired with a tombstone per chunk (the key, a
 * null payload), and the log cleaner removes a record once a newer one has its key. This is how
 * incremental chains stay whole: a base is tombstoned only when no retained entry needs it, so
 * compaction never removes a base an incremental entry still chains to, and the partition's size is
 * bounded by the retained chains plus tombstones younger than `delete.retention.ms`.
 * A record re-sent after a lost reply is a duplicate with the same key and payload: the cleaner
 * removes it like any superseded record, so the producer needs no idempotence.
 *
 * Loading reads the partition from its start to the high watermark (the fetches of a consumer,
 * without a group), keeps this instance's records, applies the tombstones, keeps the checkpoints
 * whose every chunk is readable (a save interrupted by a crash leaves some chunks and no checkpoint),
 * and takes the chain the catalog gives for the id (`latest`: the newest whole chain). Chunk keys
 * are distinct, so compaction never removes a chunk a tombstone has not retired. A topic has no
 * index, so `newest` (which level holds the newest checkpoint, asked by a multilevel restart) is
 * such a read, and a `load` of that id right after it takes what the read found.
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
import type { Context, Message, Micros, Wakeup } from '../../../kernel/contract/index.ts';
import { fnv1a, MS } from '../../../kernel/contract/index.ts';
import type { FetchPartitionReply, FetchReply, FetchRequest, MetadataReply, ProducePartitionReply, ProduceReply, ProduceRequest } from '../../log/actors/index.ts';
import { BOOTSTRAP_RNG, ConnectionStates, fetchOne, produceOne, tpKey } from '../../log/actors/index.ts';
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
/** Kafka's default `max.message.bytes`: the largest record a broker accepts. */
export const RECORD_BYTES_MAX_DEFAULT = 1 << 20;
/** Chunks of one image in flight at once: enough to keep the link busy, few enough that none waits out its timeout behind the others. */
const CHUNKS_IN_FLIGHT = 4;

/** The payload of one chunk record; the first chunk carries the entry (its bytes are modelled across all). */
interface Chunk {
  readonly k: number;
  readonly of: number;
  readonly entry?: StoredCheckpoint;
}

/** What a load found of one checkpoint id: the chunks still readable, and the entry if chunk 0 is. */
interface Found {
  of: number;
  readonly chunks: Set<number>;
  entry: StoredCheckpoint | undefined;
}

/**
 * One request, re-sent until settled; `settle` returns false when the reply calls for a retry.
 * `bytes` go on the wire; `replyBytes` may come back (a fetch), and the patience covers both.
 */
interface Attempt {
  readonly request: (req: number, leader: string) => ProduceRequest | FetchRequest;
  readonly bytes: number;
  readonly replyBytes: number;
  readonly settle: (ctx: Context, reply: ProducePartitionReply | FetchPartitionReply) => boolean;
  tries: number;
}

export class LogTopicTier implements TierClient {
  readonly tier = 'log-topic' as const;
  private readonly partition: number;
  private leader: { readonly broker: string; readonly epoch: number } | undefined;
  private metadataReq: number | undefined;
  /** The broker the metadata request out went to. */
  private metadataTo: string | undefined;
  /** Brokers whose connection broke, in reconnect backoff. */
  private readonly connections = new ConnectionStates();
  /** Attempts waiting for a leader to be known. */
  private parked: Attempt[] = [];
  /** By request number: sent and not yet answered (with the broker it went to), or backing off before a retry. */
  private readonly sent = new Map<number, { readonly attempt: Attempt; readonly broker: string }>();
  private readonly backingOff = new Map<number, Attempt>();
  /** What this incarnation knows the partition holds for its key: the last load, plus its own saves. */
  private catalog = new CheckpointCatalog();
  /** How many chunks each checkpoint the catalog holds was written in, for its tombstones. */
  private chunksOf = new Map<number, number>();
  /** The chain the last `newest` read, for the `load` that follows it. */
  private probed: readonly StoredCheckpoint[] | undefined;
  private readonly recordBytesMax: number;
  private nextReq: number;

  constructor(
    ctx: Context,
    private readonly config: LogTopicTierConfig,
    private readonly key: string,
    private readonly timeoutUs: Micros,
  ) {
    this.partition = fnv1a(key) % config.partitions;
    this.recordBytesMax = config.recordBytesMax ?? RECORD_BYTES_MAX_DEFAULT;
    // Requests numbered from a random base, so replies meant for an earlier incarnation never match.
    this.nextReq = ctx.rng('ckpt-req:log-topic').int(1, 2 ** 40);
  }

  save(ctx: Context, entry: StoredCheckpoint, retention: Retention, done: (ok: boolean) => void): void {
    this.produceChunks(ctx, entry, (ok) => {
      if (!ok) return done(false);
      this.chunksOf.set(entry.id, this.chunkCount(entry.bytes));
      for (const id of this.catalog.add(this.key, entry, retention)) this.retire(ctx, id);
      ctx.record('ckpt', { op: 'stored', key: this.key, id: entry.id, bytes: entry.bytes, totalBytes: this.catalog.totalBytes(), tier: this.tier });
      done(true);
    });
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
    const fetchFrom = (offset: number): void =>
      this.transmit(ctx, {
        request: (req) => fetchOne(req, { topic: this.config.topic, partition: this.partition, offset, maxBytes: FETCH_MAX_BYTES }, 0),
        bytes: CONTROL_BYTES,
        replyBytes: FETCH_MAX_BYTES,
        tries: 0,
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

  onMessage(ctx: Context, message: Message): boolean {
    if (message.type === 'metadata-reply') return this.metadata(ctx, message as unknown as MetadataReply);
    if (message.type !== 'produce-reply' && message.type !== 'fetch-reply') return false;
    const reply = message as unknown as ProduceReply | FetchReply;
    const sent = this.sent.get(reply.req);
    // The tier reads and writes one partition per request: its reply's one partition.
    const part = reply.partitions[0];
    if (sent === undefined || part?.topic !== this.config.topic) return false;
    const { attempt, broker } = sent;
    this.sent.delete(reply.req);
    this.connections.heard(broker);
    if (!attempt.settle(ctx, part)) this.backOff(ctx, reply.req, attempt);
    return true;
  }

  onTimer(ctx: Context, wakeup: Wakeup): boolean {
    const req = wakeup.data as number;
    switch (wakeup.name) {
      case 'ckpt:log-timeout': {
        const attempt = this.sent.get(req)?.attempt;
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

  private chunkCount(bytes: number): number {
    return Math.max(1, Math.ceil(bytes / this.recordBytesMax));
  }

  /** Produces an entry as its chunks, `CHUNKS_IN_FLIGHT` at a time; `done(true)` once all are acknowledged, `done(false)` at the first refused. */
  private produceChunks(ctx: Context, entry: StoredCheckpoint, done: (ok: boolean) => void): void {
    const of = this.chunkCount(entry.bytes);
    let next = 0;
    let acknowledged = 0;
    let failed = false;
    const send = (): void => {
      const k = next++;
      const bytes = Math.min(this.recordBytesMax, entry.bytes - k * this.recordBytesMax);
      const chunk: Chunk = k === 0 ? { k, of, entry } : { k, of };
      this.produce(ctx, chunkKey(this.key, entry.id, k), chunk, bytes, (ok) => {
        if (failed) return;
        if (!ok) {
          failed = true;
          return done(false);
        }
        if (++acknowledged === of) return done(true);
        if (next < of) send();
      });
    };
    for (let i = 0; i < Math.min(CHUNKS_IN_FLIGHT, of); i++) send();
  }

  /** Tombstones every chunk of a checkpoint the catalog no longer retains. */
  private retire(ctx: Context, id: number): void {
    const of = this.chunksOf.get(id) ?? 1;
    this.chunksOf.delete(id);
    for (let k = 0; k < of; k++) this.produce(ctx, chunkKey(this.key, id, k), null, 0, () => undefined);
  }

  /**
   * Produces one keyed record (payload null: a tombstone) in a batch of its own; `done(false)` when
   * retrying cannot help: the broker's disk is full, or the record is larger than the topic's
   * `max.message.bytes` (MESSAGE_TOO_LARGE is not retriable in Kafka: the save fails, and says why).
   */
  private produce(ctx: Context, key: string, payload: Chunk | null, bytes: number, done: (ok: boolean) => void): void {
    const { topic, acks } = this.config;
    // The leader holds an acks=all request while followers copy the record: as long as it takes to send.
    const holdUs = patienceUs(this.timeoutUs, bytes, 0);
    this.transmit(ctx, {
      request: (req) => produceOne(req, { topic, partition: this.partition, events: [key], bytes, payloads: [payload], keys: [key] }, acks, holdUs),
      bytes: CONTROL_BYTES + bytes,
      replyBytes: bytes,
      tries: 0,
      settle: (c, reply) => {
        if (reply.error === 'message-too-large') c.record('state', { op: 'ckpt-chunk-refused', key, bytes, error: reply.error });
        const final = reply.error === undefined || reply.error === 'kafka-storage-error' || reply.error === 'message-too-large';
        if (final) done(reply.error === undefined);
        return final;
      },
    });
  }

  /** Keeps the newest value of each of this instance's chunk keys: a chunk, or a tombstone that removes it. */
  private take(found: Map<number, Found>, key: string, payload: unknown): void {
    const file = keyOfFile(key);
    if (file === undefined || keyOfFile(file) !== this.key) return;
    const id = Number(file.slice(file.lastIndexOf('#') + 1));
    const k = Number(key.slice(key.lastIndexOf('#') + 1));
    let seen = found.get(id);
    if (seen === undefined) {
      seen = { of: 0, chunks: new Set(), entry: undefined };
      found.set(id, seen);
    }
    if (payload === null || payload === undefined) {
      seen.chunks.delete(k);
      if (k === 0) seen.entry = undefined;
      return;
    }
    const chunk = payload as Chunk;
    seen.of = chunk.of;
    seen.chunks.add(k);
    if (chunk.entry !== undefined) seen.entry = chunk.entry;
  }

  /** Catalogues the checkpoints whose every chunk was read, and answers with the chain for `id`. */
  private loaded(found: ReadonlyMap<number, Found>, id: number | 'latest', done: (chain: readonly StoredCheckpoint[] | undefined) => void): void {
    this.catalog = new CheckpointCatalog();
    this.chunksOf = new Map();
    const ids = [...found.keys()].sort((a, b) => a - b);
    for (const each of ids) {
      const { of, chunks, entry } = found.get(each)!;
      if (entry === undefined || chunks.size !== of) continue;
      this.chunksOf.set(each, of);
      this.catalog.add(this.key, entry, { all: true });
    }
    done(this.catalog.chain(this.key, id));
  }

  private transmit(ctx: Context, attempt: Attempt): void {
    if (this.leader === undefined) {
      this.parked.push(attempt);
      this.refreshMetadata(ctx);
      return;
    }
    const req = this.nextReq++;
    this.sent.set(req, { attempt, broker: this.leader.broker });
    const request = attempt.request(req, this.leader.broker);
    ctx.send(this.leader.broker, request, { bytes: attempt.bytes });
    // Long enough for the request to arrive and the leader to hold it (`replyBytes` covers both for a produce).
    ctx.setTimer(patienceUs(this.timeoutUs, attempt.bytes + attempt.replyBytes, attempt.tries++), 'ckpt:log-timeout', req);
  }

  /**
   * The connection to `peer` broke — its process died on a live host (kernel/contract/disconnect.ts).
   * As a Kafka client's NetworkClient: requests out to it fail now and are re-sent after the retry
   * backoff or the broker's reconnect backoff, whichever is longer (to whoever metadata then names),
   * and a metadata request out to it is asked of another broker at once.
   */
  disconnected(ctx: Context, peer: string): void {
    if (!this.config.brokers.includes(peer)) return;
    this.connections.disconnected(ctx.now(), peer);
    const waitUs = Math.max(RETRY_BACKOFF_US, this.connections.readyAt(peer) - ctx.now());
    for (const [req, { attempt, broker }] of [...this.sent]) {
      if (broker !== peer) continue;
      this.sent.delete(req);
      this.backOff(ctx, req, attempt, waitUs);
    }
    if (this.metadataReq !== undefined && this.metadataTo === peer) {
      this.metadataReq = undefined;
      this.refreshMetadata(ctx);
    }
  }

  /** A refused or unanswered request: the leader may have moved; ask for metadata and try again shortly. */
  private backOff(ctx: Context, req: number, attempt: Attempt, delayUs: Micros = RETRY_BACKOFF_US): void {
    this.leader = undefined;
    this.backingOff.set(req, attempt);
    ctx.setTimer(delayUs, 'ckpt:log-retry', req);
  }

  private refreshMetadata(ctx: Context): void {
    if (this.metadataReq !== undefined) return;
    const req = this.nextReq++;
    this.metadataReq = req;
    // A random broker each time, as Kafka's leastLoadedNode picks among idle ones (metadata-view.ts),
    // passing over one in reconnect backoff (its process died) while another is not.
    const brokers = this.config.brokers;
    const start = brokers.length === 1 ? 0 : ctx.rng(BOOTSTRAP_RNG).int(0, brokers.length - 1);
    const now = ctx.now();
    let to = brokers[start]!;
    for (let i = 0; i < brokers.length && this.connections.readyAt(to) > now; i++) to = brokers[(start + i + 1) % brokers.length]!;
    if (this.connections.readyAt(to) > now) to = brokers[start]!;
    this.metadataTo = to;
    ctx.send(to, { type: 'metadata', req });
    ctx.setTimer(this.timeoutUs, 'ckpt:log-metadata-timeout', req);
  }

  private metadata(ctx: Context, reply: MetadataReply): boolean {
    if (reply.req !== this.metadataReq) return false;
    this.connections.heard(this.metadataTo!);
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

/** A chunk's record key: the checkpoint's key (`checkpointFile`) and the chunk's index. */
function chunkKey(key: string, id: number, k: number): string {
  return `${checkpointFile(key, id)}#${k}`;
}
