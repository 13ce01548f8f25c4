/**
 * What a Kafka client's NetworkClient keeps about the brokers, shared by every log client (the
 * producer, the consumer, the final reader, the forwarders' log sources and sink, alert brokers and
 * pipeline operators): the metadata view (who leads what) and the connection state per broker.
 *
 * Its behaviour is Kafka's reaction to a connection that fails, the same for every client:
 * - broken (`NetworkClient.processDisconnection`): the broker goes into reconnect backoff
 *   (connection-states.ts), it is avoided for metadata and a metadata request out to it fails
 *   (metadata-view.ts), and metadata is asked for again;
 * - closed after a request timed out: the next request sets up a new connection, the broker is
 *   avoided for metadata, metadata is asked for;
 * - never set up (KIP-601 set-up deadline, not heard from): a set-up failure, then as broken.
 * Every owner fails its own requests to that broker (the producing clients through
 * in-flight-requests.ts). Requests over a connection not yet set up (never heard from the broker,
 * or the last connection broke or timed out) get the connection set-up timeout (connection-states.ts).
 *
 * Guarantee: after any of these, metadata is not asked of that broker while another is reachable,
 * and after a broken connection nothing is sent to it before its reconnect backoff ends — for every
 * client alike. How it breaks: an owner that does not report what it hears (`heard`) keeps every
 * connection "new": one request at a time, each with the set-up deadline (10 s, not its own).
 */
import type { Context, Micros } from '../../../kernel/contract/index.ts';
import { ConnectionStates } from './connection-states.ts';
import { MetadataView } from './metadata-view.ts';

export class ClientNetwork {
  readonly metadata: MetadataView;
  readonly connections = new ConnectionStates();

  constructor(
    brokers: readonly string[],
    requestTimeoutUs: Micros,
    /** The owner's `retry.backoff.ms`: spaces metadata refreshes, and the least wait after a disconnect. */
    private readonly retryBackoffUs: Micros,
    /** The owner's next request number (metadata requests share the owner's numbering). */
    private readonly nextReq: () => number,
    private readonly options: {
      /** The owner's requests in flight to a broker, if it counts them: metadata goes to the least loaded (metadata-view.ts). */
      readonly load?: (broker: string) => number;
      /** The metadata request's timer name, for an owner beside another client in one actor (metadata-view.ts). */
      readonly metadataTimer?: string;
    } = {},
  ) {
    this.metadata = new MetadataView(brokers, requestTimeoutUs, this.connections, retryBackoffUs, options.metadataTimer);
  }

  /** Asks for metadata (the least-loaded reachable broker), unless a request is already out. */
  refresh(ctx: Context): void {
    this.metadata.refresh(ctx, this.nextReq(), this.options.load);
  }

  /** Something arrived from `from`: a connection to it works. */
  heard(from: string): void {
    this.connections.heard(from);
  }

  /**
   * The connection to `broker` broke (its process died on a live host): reconnect backoff, metadata
   * elsewhere (see the header). Returns how long the owner's requests to it wait before they are
   * retried: `retry.backoff.ms`, or the reconnect backoff if longer (they may still go to it).
   */
  disconnected(ctx: Context, broker: string): Micros {
    this.closed(ctx, broker);
    this.refresh(ctx);
    return Math.max(this.retryBackoffUs, this.connections.readyAt(broker) - ctx.now());
  }

  /** `disconnected` without the metadata refresh, for an owner that handles its requests first (in-flight-requests.ts). */
  closed(ctx: Context, broker: string): void {
    this.connections.disconnected(ctx, broker);
    this.metadata.disconnected(ctx, broker);
  }

  /**
   * A request to `broker` timed out: Kafka closes that connection (the next request sets up a new
   * one), the broker is avoided for metadata, and metadata is asked for.
   */
  timedOut(ctx: Context, broker: string): void {
    this.connections.timedOut(broker);
    this.metadata.unreachable(ctx, broker);
    this.refresh(ctx);
  }

  /**
   * A request over a new connection to `broker` reached its set-up deadline (KIP-601). True if the
   * connection never came up (set-up failure: reconnect backoff, the broker avoided for metadata,
   * metadata asked for); false if the broker was heard from since (the request's own timeout runs on).
   */
  setupTimedOut(ctx: Context, broker: string): boolean {
    if (!this.connections.setupTimedOut(ctx, broker)) return false;
    this.metadata.unreachable(ctx, broker);
    this.refresh(ctx);
    return true;
  }
}
