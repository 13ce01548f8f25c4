/**
 * Configuration of a forwarder: where it reads (its own edge buffer, or a topic of a log service),
 * where it writes (a topic of a log service), and how it batches, retries and overflows.
 * Times are integer µs, sizes integer bytes.
 */
import { MS, SECOND, type Micros } from '../../../kernel/contract/index.ts';

/**
 * What an edge buffer does when an event does not fit:
 * - `block`: refuse it (no acknowledgement): the instrument retries and, after its retries, gives
 *   up — nothing acknowledged is ever lost, the instrument knows exactly what was not taken;
 * - `drop-oldest`: evict the oldest events not yet handed to the next tier to make room; every
 *   eviction is a `client` record `op: drop` naming the events (they were acknowledged: data loss,
 *   reported exactly);
 * - `spill`: write it to a slower spill disk (`spillBytes` at `spillBandwidthBytesPerSec`), acked
 *   only once written there; when the spill is full too, block.
 */
export type OverflowPolicy = 'block' | 'drop-oldest' | 'spill';
export const OVERFLOW_POLICIES = ['block', 'drop-oldest', 'spill'] as const satisfies readonly OverflowPolicy[];

export interface EdgeBufferConfig {
  /** Bytes the fast buffer holds (events received and not yet acknowledged by the next tier). */
  readonly capacityBytes: number;
  readonly overflow: OverflowPolicy;
  /** Extra bytes on the spill disk (policy `spill` only). */
  readonly spillBytes: number;
  /** Write bandwidth of the spill disk, bytes per second (policy `spill` only). */
  readonly spillBandwidthBytesPerSec: number;
}

/** A topic of a log service, with the actors to talk to. */
export interface LogEndpoint {
  readonly service: string;
  readonly topic: string;
  readonly partitions: number;
  readonly brokers: readonly string[];
  readonly controller: string;
  /**
   * The producing client's `max.request.size`, compared with the serialized size as Kafka does
   * (`batchSizeInBytes`: the events with their batch and record overhead): a produce request never carries more
   * (its first batch aside), and a pipeline refuses an output larger than this before sending it.
   * Absent: no bound (forwarders; a pipeline's node-local streams, which are not Kafka topics).
   */
  readonly maxRequestBytes?: number;
}

export type ForwardSource = { readonly kind: 'buffer'; readonly buffer: EdgeBufferConfig } | ({ readonly kind: 'log' } & LogEndpoint);

export interface ForwarderConfig {
  readonly source: ForwardSource;
  readonly sink: LogEndpoint;
  /**
   * A forwarded batch is at most this many bytes serialized (`batchSizeInBytes`: payload, batch
   * header, records' overhead; at least one event), as Kafka's producer sizes a batch — so the 1 MiB
   * default fits Kafka's default `max.message.bytes` (1048588), which a leader compares the same way.
   */
  readonly batchBytes: number;
  /** Batches per lane sent and not yet acknowledged; at most 5, the broker's idempotence window. */
  readonly maxInFlight: number;
  readonly requestTimeoutUs: Micros;
  /** First pause after a failed request; doubles per consecutive failure up to `maxBackoffUs`, spread ±20 % (KIP-580). */
  readonly retryBackoffUs: Micros;
  readonly maxBackoffUs: Micros;
  /**
   * How much a log source fetches ahead of what is planned, per partition, bytes — what MirrorMaker
   * holds in its producer's `buffer.memory` (32 MiB) while its consumer polls on. It must cover what
   * the destination drains during one `fetch.max.wait.ms`: a partition with this much fetched is
   * left out of requests, and when the request out to its broker is held for idle partitions, it
   * rejoins only when that returns (up to 500 ms later). One batch of read-ahead (4 MiB, before
   * session 8) let a hot partition next to an idle one forward one batch per 500 ms.
   */
  readonly readAheadBytes: number;
}

export const FORWARDER_DEFAULTS = {
  batchBytes: 1 << 20,
  maxInFlight: 5,
  // Kafka's producer request.timeout.ms; MirrorMaker 2 (Kafka Connect) keeps it, and retries without end (delivery.timeout.ms MAX_VALUE).
  requestTimeoutUs: 30 * SECOND,
  retryBackoffUs: 100 * MS,
  maxBackoffUs: 30 * SECOND,
  readAheadBytes: 32 << 20,
} as const;

/** The broker remembers a producer's last five batches; more in flight could not be de-duplicated. */
export const IDEMPOTENCE_WINDOW = 5;
