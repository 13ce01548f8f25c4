/**
 * The wire protocol of the single-node event store: requests from producers and readers, replies
 * from the store. Plain data, so it can cross worker threads unchanged.
 */

/** Append events; the store replies `produce-ack` when its flush policy says they are safe. */
export interface ProduceRequest {
  readonly type: 'produce';
  readonly req: number;
  readonly events: readonly string[];
  /** Payload size of each event, bytes (what the store writes to disk per event). */
  readonly eventBytes: number;
}

export interface ProduceAck {
  readonly type: 'produce-ack';
  readonly req: number;
  /** Offset of the first event of the request in the store's log. */
  readonly offset: number;
}

/** Read up to `max` events starting at `offset`. */
export interface ReadRequest {
  readonly type: 'read';
  readonly req: number;
  readonly offset: number;
  readonly max: number;
}

export interface ReadReply {
  readonly type: 'read-reply';
  readonly req: number;
  readonly offset: number;
  readonly events: readonly string[];
  /** True when no event lies beyond this page. */
  readonly end: boolean;
}

export type StoreRequest = ProduceRequest | ReadRequest;
export type StoreReply = ProduceAck | ReadReply;

/** Bytes on the wire of a reply carrying `events` ids (readers fetch ids, not payloads). */
export function idBytes(events: readonly string[]): number {
  let bytes = 64;
  for (const id of events) bytes += id.length + 4;
  return bytes;
}

