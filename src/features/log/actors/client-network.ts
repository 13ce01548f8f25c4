/**
 * What a Kafka client's NetworkClient keeps about the brokers, shared by the clients that fetch
 * (the consumer, the final reader, the log sources of forwarders, alert brokers and pipeline
 * operators): the metadata view (who leads what) and the connection state per broker.
 *
 * Its one piece of behaviour is Kafka's reaction to a broken connection
 * (`NetworkClient.processDisconnection`): the broker goes into reconnect backoff
 * (connection-states.ts), it is avoided for metadata and a metadata request out to it fails
 * (metadata-view.ts), and metadata is asked for again — every owner then fails its own requests to
 * that broker and retries them after the wait this returns. Keeping that in one place keeps the
 * clients' reactions the same. Requests over a connection not yet set up (never heard from the
 * broker, or the last connection broke) get the connection set-up timeout (connection-states.ts).
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
  ) {
    this.metadata = new MetadataView(brokers, requestTimeoutUs, this.connections, retryBackoffUs);
  }

  /** Asks for metadata (the least-loaded reachable broker), unless a request is already out. */
  refresh(ctx: Context): void {
    this.metadata.refresh(ctx, this.nextReq());
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
    this.connections.disconnected(ctx.now(), broker);
    this.metadata.disconnected(ctx, broker);
    this.refresh(ctx);
    return Math.max(this.retryBackoffUs, this.connections.readyAt(broker) - ctx.now());
  }
}
