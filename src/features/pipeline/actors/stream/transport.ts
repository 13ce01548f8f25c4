/**
 * How an operator reads its input streams and writes its output stream: the one seam between the
 * operator runtime and the stream layer. Two implementations exist — direct channels between
 * operator instances (`direct.ts`) and persistent streams, topics of the replicated log
 * (`log-transport.ts`) — and a pipeline picks one per checkpoint strategy.
 *
 * Positions: every input item has a position on its channel (a direct channel's sequence number,
 * a topic partition's offset), and every output channel counts up to its last event sent; markers
 * take positions too but are counted on neither side, so the two counts of a consistent cut agree
 * whether a protocol captures before or after sending its marker. A checkpoint records both;
 * `open` resumes from them.
 *
 * Guarantee (what both implementations promise the operator): per input channel, items are
 * delivered in position order, each once per `open`, starting at the resumed position; a marker
 * (direct channels only) arrives after every item sent before it; and what was emitted but not
 * acknowledged is kept in `outbox` for the image, so a restore sends it again.
 *
 * How it breaks, per implementation: direct channels keep nothing beyond the sender's memory, so a
 * crash of either end loses what was in flight until a global rollback to a consistent cut; a
 * persistent stream is as durable as its topic, so acks=1 with an unclean leader election loses
 * acknowledged items. Each file's header says more; shown by test/features/pipeline/pipeline.test.ts
 * (direct channels: once and in order over a link that loses, duplicates and reorders) and
 * log-pipeline.test.ts (acks=1 with an unclean election).
 */
import type { Context, Disconnect, Message, Wakeup } from '../../../../kernel/contract/index.ts';
import type { Marker, OutboxItem } from '../../../checkpoint/actors/index.ts';
import type { LogEndpoint } from '../../../forward/actors/index.ts';
import type { StreamEvent } from '../event.ts';

/** What the transport hands to the operator. */
export interface TransportSink {
  deliver(ctx: Context, channel: string, position: number, event: StreamEvent): void;
  marker(ctx: Context, channel: string, marker: Marker): void;
}

/** Where to resume: the positions and channel state of a restored image (all empty at the start). */
export interface Resume {
  readonly inputs: Readonly<Record<string, number>>;
  readonly outputs: Readonly<Record<string, number>>;
  readonly outbox: readonly OutboxItem[];
  /** The global epoch; messages of older epochs are discarded. */
  readonly epoch: number;
}

export interface OperatorTransport {
  /** Input channels markers arrive on, in a fixed order (empty for persistent streams). */
  readonly markerInputs: readonly string[];
  /** Starts, or restarts after a restore, from `resume`. */
  open(ctx: Context, resume: Resume): void;
  /**
   * Sends the output events of one processing step on the operator's output stream, in order: one
   * send cycle, so a log transport sends them together, one produce request per leader broker.
   */
  emit(ctx: Context, events: readonly StreamEvent[]): void;
  /** Sends a marker in-band on every output channel. */
  marker(ctx: Context, marker: Marker): void;
  /**
   * Whether the operator may produce more: false while outputs wait for credit (direct channels
   * under backpressure). Absent: always (a stream's producer buffers what it is given).
   */
  writable?(): boolean;
  /** The operator finished the item at `position` of `channel`. */
  consumed(ctx: Context, channel: string, position: number): void;
  /**
   * The operator stopped for a recovery line: sends at once what waits for credit, so that what it
   * emitted reaches its (held) receivers. Absent: nothing waits.
   */
  release?(ctx: Context): void;
  /**
   * Per output channel, one past the position of the last event emitted (markers are not counted);
   * a direct channel may still queue some for credit, but a cut's marker or `release` sends them first.
   */
  outputs(): Record<string, number>;
  /** Outputs emitted but not yet acknowledged by their stream (they must survive a restore). */
  outbox(): OutboxItem[];
  /** Whether everything sent to a receiver other than `except` has been acknowledged (absent: a stream keeps what it was given). */
  delivered?(except: ReadonlySet<string>): boolean;
  /** Message logging: the operator's log holds the input of `channel` below `next` durably (it may be acknowledged). */
  logged?(ctx: Context, channel: string, next: number): void;
  onMessage(ctx: Context, message: Message, from: string): boolean;
  onTimer(ctx: Context, wakeup: Wakeup): boolean;
  /** The operator's connection to a peer broke (its process died on a live host): fail what is out to it now. */
  disconnected?(ctx: Context, disconnect: Disconnect): void;
}

/** The streams one operator instance reads and writes, resolved to actors. */
export interface InstanceRoutes {
  readonly instance: string;
  /** 0-based index among its operator's instances: the partition it reads. */
  readonly index: number;
  readonly output: OutputRoute;
  readonly inputs: readonly InputRoute[];
}

export interface OutputRoute {
  readonly stream: string;
  /** Consumer instances by partition; empty when the stream is the pipeline's output. */
  readonly consumers: readonly string[];
  /** Partitions of the topic (the consumers' parallelism, at least 1). */
  readonly partitions: number;
  /** The stream's topic on a log service (persistent transport). */
  readonly log: LogEndpoint;
}

export interface InputRoute {
  readonly stream: string;
  /** Producer instances (direct transport). */
  readonly producers: readonly string[];
  readonly log: LogEndpoint;
}

/** Records events that reached the pipeline's output (a stream nobody in the pipeline consumes). */
export function recordOutput(ctx: Context, events: readonly StreamEvent[]): void {
  if (events.length === 0) return;
  ctx.record('client', { op: 'output', events: events.map((e) => e.id), born: events.map((e) => e.bornUs) });
}
