/**
 * What an emulation's orchestrator and its node threads say to each other.
 *
 * Two channels per node thread: the control plane is comlink over the thread's own port
 * (`NodeControl`: start, pause, resume, stats, stop); the data plane is a dedicated MessagePort
 * carrying messages between actors (through the orchestrator's router, which applies the links'
 * latency, bandwidth, loss and partitions) and the trace records the node's actors write.
 */
import type { MessagePort } from 'node:worker_threads';
import type { DropCause, Message, Micros, TraceRecord } from '../../kernel/index.ts';
import type { WorldRecipe } from '../recipe.ts';

/** `workerData` of a node thread (its data port travels in the transfer list). */
export interface NodeWorkerData {
  entry: string;
  recipe: WorldRecipe;
  node: string;
  /** Where this node's actors keep their files: `<dir>/<actor>/`. */
  diskDir: string;
  /** Which life of the node this thread is (0 first, +1 per restart). */
  incarnation: number;
  port: MessagePort;
}

export interface StartOptions {
  /** The emulated clock's shared state (clock.ts). */
  clock: SharedArrayBuffer;
  /** The clock's heartbeat slot this thread beats in. */
  slot: number;
  /** `recover` after a crash: actors run `recover` on what their files hold. */
  entry: 'start' | 'recover';
  /** Next trace record number of each actor (records continue across the node's lives). */
  recordCounts: [string, number][];
}

export interface NodeStats {
  node: string;
  incarnation: number;
  /** Handlers run: starts, messages, timers, wakeups. */
  events: number;
  records: number;
  pendingTimers: number;
  nowUs: Micros;
}

/** The control plane a node thread exposes through comlink. */
export interface NodeControl {
  start(options: StartOptions): void;
  /** Holds timers while the (shared) clock is paused, and arms them again after. */
  pause(): void;
  resume(): void;
  stats(): NodeStats;
  /** Stops timers and deliveries: the clean end of a run (a crash is `terminate`, not this). */
  stop(): NodeStats;
}

/** A message leaving an actor, for the router. */
export interface Outgoing {
  type: 'send';
  from: string;
  to: string;
  sendN: number;
  bytes: number;
  sentAtUs: Micros;
  message: Message;
}

export interface RecordsOut {
  type: 'records';
  records: TraceRecord[];
  /** Handlers the node has run so far (for the summary's event count). */
  events: number;
}

/** An actor threw: the emulation stops and names it. */
export interface ActorFailed {
  type: 'failed';
  actor: string;
  timeUs: Micros;
  event: string;
  message: string;
  stack?: string;
}

export type FromNode = Outgoing | RecordsOut | ActorFailed;

/** A message arriving, or (with `blocked`) failing to, at an actor of this node. */
export interface Delivery {
  type: 'deliver';
  to: string;
  from: string;
  sendN: number;
  message: Message;
  blocked?: DropCause;
}

/** The router's verdict that a message never left: the sender records the drop. */
export interface SendDropped {
  type: 'dropped';
  from: string;
  to: string;
  msg: string;
  sendN: number;
  cause: DropCause;
}

export type ToNode = Delivery | SendDropped;
