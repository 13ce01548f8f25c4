/**
 * A client's view of the cluster's metadata: which broker leads each partition. Clients keep, per
 * partition, the answer with the highest leader epoch, so a broker with a stale cache cannot move
 * a client back to an old leader. Each broker answers from its metadata cache, so clients keep
 * working while the controller is down.
 *
 * Which broker is asked (Kafka's `NetworkClient.leastLoadedNode`): never one the client has found
 * unreachable — a request to it timed out and nothing has been heard from it since (Kafka
 * disconnects it and keeps it in connection backoff) — and among the others the one with the
 * fewest requests of this client in flight (the owner says how many, if it counts them), ties
 * going to the first found from a random place in the bootstrap list — Kafka's `leastLoadedNode`
 * draws that offset at every call, so even a client's first request (to a "bootstrap" broker) goes
 * to a random one, not the first listed. The draw is from the actor's own random stream
 * (`BOOTSTRAP_RNG`), so a seed gives the same choices at any worker count. Only when every
 * broker is unreachable does the client ask the one it has not heard from for the longest.
 *
 * Refreshes are spaced as Kafka's `Metadata.timeToNextUpdate` spaces them: one asked for less than
 * `retry.backoff.ms` after the last request ended (answered, timed out, connection broken) is sent
 * when that backoff is over, and counts as on its way meanwhile — a client whose partition has no
 * leader asks once per its `retry.backoff.ms` (100 ms by default), not once per round trip.
 *
 * How it fails: a client whose metadata names a leader that lost its leadership learns it from a
 * `not-leader` error, from its connection to it breaking (`disconnected`: the leader's process died
 * on a live host) or from its request timing out, and refreshes; until the new leader's
 * election reaches some broker's cache, it retries against the old one. A broker whose node died
 * (or that is cut off) without a request of this client outstanding is found out only by the
 * metadata request that times out on it (`request.timeout.ms`), as in Kafka; one whose process died
 * on a live host, at once (its host closes the connection). A request to a broker the client has no
 * connection to (connection-states.ts, when the owner passes its connection states) fails after the
 * connection set-up timeout (10 s, growing to 30 s) rather than `request.timeout.ms`, as Kafka's
 * does since KIP-601.
 */
import { type Context, type Micros, type TimerId } from '../../../kernel/contract/index.ts';
import type { ConnectionStates } from './connection-states.ts';
import type { MetadataReply, PartitionMeta } from './messages.ts';

/** The random stream a client's broker choice draws from. */
export const BOOTSTRAP_RNG = 'bootstrap';

export class MetadataView {
  /** Per topic, by partition number: a lookup (one per request a client sends) builds no key string. */
  private readonly partitions = new Map<string, PartitionMeta[]>();
  private inFlight: { readonly req: number; timer: TimerId; readonly broker: string; readonly sentAtUs: Micros; setup: boolean } | null = null;
  /** A refresh asked for within the backoff: its request waits for this timer ('metadata-timeout'). */
  private deferred: { readonly req: number; readonly timer: TimerId } | null = null;
  /** When the last request ended (answered, timed out, or its connection broke). */
  private lastEndedUs: Micros = -Infinity;
  /** Brokers a request to timed out, with the time it did; cleared by any answer from them. */
  private readonly unreachableSince = new Map<string, Micros>();

  constructor(
    private readonly brokers: readonly string[],
    private readonly timeoutUs: Micros,
    /** The owner's connection states: a request over a new connection gets its set-up timeout. */
    private readonly connections: ConnectionStates | undefined,
    /** The owner's `retry.backoff.ms` (Kafka's Metadata refreshBackoffMs): the least time from one request's end to the next one. */
    private readonly backoffUs: Micros,
    /** Its timer's name: another client in the same actor (a pipeline operator's transport) keeps its own. */
    private readonly timerName = 'metadata-timeout',
  ) {}

  leaderOf(topic: string, partition: number): string | null {
    return this.known(topic, partition)?.leader ?? null;
  }

  /**
   * The leader to send to, or null to wait: none is known, or the one known is unreachable while
   * a refresh is on its way (it may name a new leader). When the refresh still names the
   * unreachable broker, it is tried again — Kafka's reconnect after its backoff.
   */
  usableLeaderOf(topic: string, partition: number): string | null {
    const leader = this.leaderOf(topic, partition);
    return leader !== null && (this.inFlight !== null || this.deferred !== null) && this.unreachableSince.has(leader) ? null : leader;
  }

  known(topic: string, partition: number): PartitionMeta | undefined {
    return this.partitions.get(topic)?.[partition];
  }

  /**
   * Asks the least-loaded reachable broker (see the header), unless a request is already out.
   * `load(broker)` is the owner's requests in flight to it; without it every broker counts as idle.
   */
  refresh(ctx: Context, req: number, load?: (broker: string) => number): void {
    if (this.inFlight !== null || this.deferred !== null) return;
    const waitUs = this.lastEndedUs + this.backoffUs - ctx.now();
    if (waitUs > 0) {
      this.deferred = { req, timer: ctx.setTimer(waitUs, this.timerName, req) };
      return;
    }
    const broker = this.leastLoaded(ctx, load);
    ctx.send(broker, { type: 'metadata', req });
    const { timeoutUs, setup } = this.connections?.deadline(ctx, broker, this.timeoutUs) ?? { timeoutUs: this.timeoutUs, setup: false };
    this.inFlight = { req, broker, sentAtUs: ctx.now(), setup, timer: ctx.setTimer(timeoutUs, this.timerName, req) };
  }

  /**
   * A request of the owner to `broker` timed out: avoid it for metadata until it answers again.
   * The time is that of the latest give-up, not the first: when every broker is unreachable, the
   * one given up on longest ago is asked, and a broker that fails every time it is asked must move
   * to the back — kept at its first give-up, a dead broker stayed the oldest and was asked forever,
   * while a live leader given up on later (its produce requests timed out) was never asked again.
   */
  unreachable(ctx: Context, broker: string): void {
    this.unreachableSince.set(broker, ctx.now());
  }

  /**
   * The connection to `broker` broke — its host closed or refused it, its process is dead
   * (kernel/contract/disconnect.ts): it is avoided for metadata as after a timeout, and a metadata
   * request in flight to it fails now instead of at its timeout (the owner then asks again: Kafka
   * requests a metadata update on every disconnect).
   */
  disconnected(ctx: Context, broker: string): void {
    this.unreachable(ctx, broker);
    if (this.inFlight?.broker !== broker) return;
    ctx.cancelTimer(this.inFlight.timer);
    this.inFlight = null;
    this.lastEndedUs = ctx.now();
  }

  /** The owner heard from `broker`: it may be asked again. */
  reachable(broker: string): void {
    this.unreachableSince.delete(broker);
  }

  /** Takes a reply in; true if it answered the request in flight. */
  onReply(ctx: Context, reply: MetadataReply): boolean {
    if (this.inFlight === null || reply.req !== this.inFlight.req) return false;
    ctx.cancelTimer(this.inFlight.timer);
    this.reachable(this.inFlight.broker);
    this.inFlight = null;
    this.lastEndedUs = ctx.now();
    for (const meta of reply.partitions) {
      let byPartition = this.partitions.get(meta.topic);
      if (byPartition === undefined) this.partitions.set(meta.topic, (byPartition = []));
      const known = byPartition[meta.partition];
      if (known === undefined || meta.leaderEpoch >= known.leaderEpoch) byPartition[meta.partition] = meta;
    }
    return true;
  }

  /**
   * The request timed out, or a deferred refresh's backoff ended; true if it was the one on its way
   * (the caller then refreshes). At its set-up deadline, a broker heard from since (the connection
   * came up) keeps the request until `request.timeout.ms`.
   */
  onTimeout(ctx: Context, req: number): boolean {
    if (this.deferred?.req === req) {
      this.deferred = null;
      return true;
    }
    const inFlight = this.inFlight;
    if (inFlight === null || inFlight.req !== req) return false;
    if (inFlight.setup) {
      inFlight.setup = false;
      if (!this.connections!.setupTimedOut(ctx, inFlight.broker)) {
        inFlight.timer = ctx.setTimer(inFlight.sentAtUs + this.timeoutUs - ctx.now(), this.timerName, req);
        return false;
      }
    } else {
      this.connections?.timedOut(inFlight.broker);
    }
    this.unreachable(ctx, inFlight.broker);
    this.inFlight = null;
    this.lastEndedUs = ctx.now();
    return true;
  }

  private leastLoaded(ctx: Context, load: ((broker: string) => number) | undefined): string {
    const n = this.brokers.length;
    const start = n === 1 ? 0 : ctx.rng(BOOTSTRAP_RNG).int(0, n - 1);
    let best: string | undefined;
    let bestLoad = Infinity;
    for (let i = 0; i < n; i++) {
      const broker = this.brokers[(start + i) % n]!;
      if (this.unreachableSince.has(broker)) continue;
      const l = load?.(broker) ?? 0;
      if (l < bestLoad) [best, bestLoad] = [broker, l];
      if (l === 0) break;
    }
    if (best !== undefined) return best;
    // Every broker is unreachable: the one given up on longest ago is the likeliest to be back.
    let oldest = this.brokers[start % n]!;
    for (const broker of this.brokers) if (this.unreachableSince.get(broker)! < this.unreachableSince.get(oldest)!) oldest = broker;
    return oldest;
  }
}
