/**
 * The actors of one node, running against real time: the emulated counterpart of the simulator's
 * dispatch and `ActorContext` (src/kernel/simulator.ts), side by side with it.
 *
 * Each actor gets a `RealtimeContext`: `now()` is the emulated clock, timers are host timers on it,
 * messages leave through the router, the disk is real files with real fsync (real-disk.ts), random
 * streams are the simulator's (same seed, actor and purpose), and trace records have the same kinds
 * and fields as in simulation (`send`, `recv`, `drop`, `timer`, `disk`, and whatever the actor
 * records). The protocol code is the same code; only its Context differs.
 *
 * Guarantee: a node's handlers run one at a time, each to completion; records and outgoing
 * messages of one handler leave together, records first, so the orchestrator always sees a send
 * before anything that follows from it. How it fails: an actor that throws is reported (`failed`,
 * with its actor, emulated time and event) and the node stops running handlers.
 */
import { join } from 'node:path';
import type { DeployedActor, ReadonlyDeployment } from '../../deploy/index.ts';
import {
  deriveRng,
  type Actor,
  type ActorRef,
  type Context,
  type Disk,
  type Message,
  type Micros,
  type RecordKind,
  type RecordShape,
  type Rng,
  type SendOptions,
  type TimerId,
  type TraceRecord,
  type Wakeup,
} from '../../kernel/index.ts';
import type { EmulatedClock, EmulatedTimers } from './clock.ts';
import type { ActorFailed, Delivery, Outgoing, SendDropped } from './protocol.ts';
import { NodeRamDisk } from '../../world/ram-disk.ts';
import { RealDisk } from './real-disk.ts';

const DEFAULT_MESSAGE_BYTES = 64;

/** Where a node's output goes (the data port, in a node thread). */
export interface NodeOutput {
  flush(records: TraceRecord[], sends: Outgoing[]): void;
  failed(failure: ActorFailed): void;
}

export interface NodeRuntimeOptions {
  node: string;
  seed: number | string;
  /** The run's deployment: this node's actors are started from it, and a send to an id it does not hold is dropped as `unknown-target`. */
  deployment: ReadonlyDeployment;
  clock: EmulatedClock;
  timers: EmulatedTimers;
  diskDir: string;
  output: NodeOutput;
  /** Next record number per actor; records continue the numbering of the node's earlier lives. */
  recordCounts: ReadonlyMap<string, number>;
}

/** One actor's bookkeeping on this node (its instance, timers, counters). */
class Hosted {
  instance: Actor<any> | undefined;
  context: RealtimeContext | undefined;
  readonly timers = new Set<TimerId>();
  timerCount = 0;
  readonly rngs = new Map<string, Rng>();

  constructor(
    readonly spec: DeployedActor,
    public recordCount: number,
  ) {}
}

export class NodeRuntime {
  private readonly hosted = new Map<string, Hosted>();
  /** The node's `/dev/shm/`: in this thread's memory, so it ends with the thread, as with the node's power. */
  private readonly ram = new NodeRamDisk();
  private records: TraceRecord[] = [];
  private sends: Outgoing[] = [];
  private stopped = false;
  events = 0;
  recordsWritten = 0;

  constructor(readonly options: NodeRuntimeOptions) {
    for (const spec of options.deployment.on(options.node)) this.hosted.set(spec.id, new Hosted(spec, options.recordCounts.get(spec.id) ?? 0));
  }

  /** Starts every actor (`start`), or brings it back from its files (`recover`). */
  start(entry: 'start' | 'recover'): void {
    for (const host of this.hosted.values()) {
      this.run(host, entry, () => {
        const instance = host.spec.factory();
        host.instance = instance;
        host.context = new RealtimeContext(this, host, this.diskOf(host));
        const body = entry === 'recover' && instance.recover !== undefined ? instance.recover : instance.start;
        body?.call(instance, host.context);
      });
    }
  }

  /** A message arrives from the router. */
  deliver(delivery: Delivery): void {
    const host = this.hosted.get(delivery.to);
    if (host === undefined || this.stopped) return;
    const { from, message, sendN } = delivery;
    this.run(host, `message ${message.type} from ${from}`, () => {
      if (delivery.blocked !== undefined) {
        this.record(host, 'drop', { from, msg: message.type, s: sendN, cause: delivery.blocked });
        return;
      }
      this.record(host, 'recv', { from, msg: message.type, s: sendN });
      host.instance?.onMessage?.(host.context!, message, from);
    });
  }

  /** The router dropped a message at send time (partition, loss): the sender records it. */
  dropped(drop: SendDropped): void {
    const host = this.hosted.get(drop.from);
    if (host === undefined || this.stopped) return;
    this.run(host, `drop of ${drop.msg}`, () => this.record(host, 'drop', { to: drop.to, msg: drop.msg, s: drop.sendN, cause: drop.cause }));
  }

  stop(): void {
    this.stopped = true;
    this.options.timers.stop();
  }

  // --- on behalf of contexts ---

  now(): Micros {
    return this.options.clock.now();
  }

  record(host: Hosted, kind: RecordKind, fields?: Record<string, unknown>): number {
    const rec = this.head(host, kind);
    if (fields !== undefined) {
      for (const key in fields) {
        if (key === 't' || key === 'k' || key === 'a' || key === 'n') throw new Error(`trace field name ${key} is reserved`);
        rec[key] = fields[key];
      }
    }
    return this.push(rec);
  }

  /** `record(host, shape.kind, fields)` with the fields' values by position (kernel/contract/record-shape.ts). */
  recordShaped(host: Hosted, shape: RecordShape, values: readonly unknown[]): number {
    return this.push(shape.recordOf(this.head(host, shape.kind), values));
  }

  /** A new record's head at `host`'s actor, now: its number taken. */
  private head(host: Hosted, kind: RecordKind): TraceRecord {
    return { t: this.now(), k: kind, a: host.spec.id, n: host.recordCount++ };
  }

  /** Queues a record for the handler's flush; returns its number. */
  private push(rec: TraceRecord): number {
    this.records.push(rec);
    this.recordsWritten++;
    return rec.n;
  }

  send(host: Hosted, to: string, message: Message, options: SendOptions | undefined): void {
    const bytes = options?.bytes ?? DEFAULT_MESSAGE_BYTES;
    const sendN = this.record(host, 'send', { to, msg: message.type, bytes });
    if (!this.options.deployment.has(to)) {
      this.record(host, 'drop', { to, msg: message.type, s: sendN, cause: 'unknown-target' });
      return;
    }
    this.sends.push({ type: 'send', from: host.spec.id, to, sendN, bytes, sentAtUs: this.now(), message });
  }

  setTimer(host: Hosted, delay: Micros, name: string, data: unknown): TimerId {
    if (!Number.isInteger(delay)) throw new Error(`timer ${name}: delay must be an integer µs, got ${delay}`);
    const timer = ++host.timerCount;
    host.timers.add(timer);
    // A deadline computed from an earlier reading of the clock may have passed already: real time
    // moved on while the handler ran (in simulation it stands still). Like a host timer, it fires now.
    this.options.timers.at(this.now() + Math.max(0, delay), () => {
      if (this.stopped || !host.timers.delete(timer)) return;
      this.run(host, `timer ${name}`, () => {
        this.record(host, 'timer', { name });
        host.instance?.onTimer?.(host.context!, { name, data });
      });
    });
    return timer;
  }

  rng(host: Hosted, purpose: string): Rng {
    let rng = host.rngs.get(purpose);
    if (rng === undefined) {
      rng = deriveRng(this.options.seed, host.spec.id, purpose);
      host.rngs.set(purpose, rng);
    }
    return rng;
  }

  /** Runs one handler to completion, then sends its records and messages out together. */
  private run(host: Hosted, event: string, body: () => void): void {
    if (this.stopped) return;
    this.events++;
    try {
      body();
    } catch (error) {
      this.flush();
      this.stopped = true;
      this.options.timers.stop();
      this.options.output.failed({
        type: 'failed',
        actor: host.spec.id,
        timeUs: this.now(),
        event,
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
      return;
    }
    this.flush();
  }

  private flush(): void {
    if (this.records.length === 0 && this.sends.length === 0) return;
    this.options.output.flush(this.records, this.sends);
    this.records = [];
    this.sends = [];
  }

  private diskOf(host: Hosted): Disk {
    const record = (fields: Record<string, unknown>) => this.record(host, 'disk', fields);
    return this.ram.mount(host.spec.id, this.deviceOf(host), record);
  }

  private deviceOf(host: Hosted): RealDisk {
    return new RealDisk(join(this.options.diskDir, encodeURIComponent(host.spec.id)), {
      record: (fields) => this.record(host, 'disk', fields),
      // The completion is handed over after the handler that issued the fsync, as in simulation.
      wake: (done: Wakeup) =>
        this.options.timers.at(this.now(), () =>
          this.run(host, `wakeup ${done.name}`, () => host.instance?.onTimer?.(host.context!, done)),
        ),
    });
  }
}

/** The `Context` of an actor in emulation: the same interface the simulator's actors get. */
class RealtimeContext implements Context {
  readonly self: string;
  readonly node: string;
  readonly site: string;

  constructor(
    private readonly runtime: NodeRuntime,
    private readonly host: Hosted,
    readonly disk: Disk,
  ) {
    this.self = host.spec.id;
    this.node = runtime.options.node;
    this.site = host.spec.site;
  }

  now(): Micros {
    return this.runtime.now();
  }

  /** No clock-skew faults in emulation: the node's clock is the emulated clock. */
  localTime(): Micros {
    return this.runtime.now();
  }

  /** No slow-node faults in emulation: the CPU is as slow as it really is. */
  cpuSlowdown(): number {
    return 1;
  }

  /** Emulation sends by id (each node process finds its peers through the deployment), so a ref is its id. */
  send<M extends Message>(to: string | ActorRef, message: M, options?: SendOptions): void {
    this.runtime.send(this.host, typeof to === 'string' ? to : to.id, message, options);
  }

  actor(id: string): ActorRef {
    return { id };
  }

  setTimer(delay: Micros, name: string, data?: unknown): TimerId {
    return this.runtime.setTimer(this.host, delay, name, data);
  }

  cancelTimer(id: TimerId): void {
    this.host.timers.delete(id);
  }

  rng(purpose: string): Rng {
    return this.runtime.rng(this.host, purpose);
  }

  record(kind: RecordKind, fields?: Record<string, unknown>): void {
    this.runtime.record(this.host, kind, fields);
  }

  recordShaped<V extends readonly unknown[]>(shape: RecordShape<V>, values: V): void {
    this.runtime.recordShaped(this.host, shape, values);
  }
}
