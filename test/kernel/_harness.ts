/**
 * A bare kernel for kernel tests: a `Simulator` with a trivial environment (every message takes a
 * fixed latency, nothing is partitioned, disks are not available) and a trace whose records are
 * kept for inspection. World behaviour is tested in test/world against the real environment.
 */
import type { Actor, ActorHandle, Context, Disk, DropCause, Environment, Message, Micros, TraceRecord, Wakeup } from '../../src/kernel/index.ts';
import { Simulator, TraceWriter } from '../../src/kernel/index.ts';

export const LATENCY_US = 100;

class FixedLatency implements Environment {
  constructor(private readonly latencyUs: Micros) {}

  transmit(_from: number, _to: number, _bytes: number, now: Micros): Micros | DropCause {
    return now + this.latencyUs;
  }
  admits(): DropCause | undefined {
    return undefined;
  }
  disk(actor: ActorHandle): Disk {
    const refuse = () => {
      throw new Error(`kernel harness: ${actor.id} has no disk`);
    };
    return { put: refuse, append: refuse, truncate: refuse, delete: refuse, read: refuse, get: refuse, files: refuse, unsynced: refuse, fsync: refuse };
  }
}

export class Kernel {
  readonly trace: TraceWriter;
  readonly sim: Simulator;
  readonly records: TraceRecord[] = [];

  /** @param latencyUs how long every message takes, default `LATENCY_US`. */
  constructor(seed: number | string = 1, trace = new TraceWriter(), latencyUs: Micros = LATENCY_US) {
    this.trace = trace;
    this.trace.listen((record) => this.records.push(record));
    this.sim = new Simulator(seed, this.trace);
    this.sim.setEnvironment(new FixedLatency(latencyUs));
  }

  spawn(id: string, factory: () => Actor<any>): this {
    this.sim.spawn({ id, node: `${id}-node`, site: 'lab' }, factory);
    return this;
  }

  /** Runs a world action at `time` µs. */
  at(time: Micros, run: () => void, label = 'test action'): this {
    this.sim.at(time, label, run);
    return this;
  }

  crash(id: string, time: Micros): this {
    return this.at(time, () => this.sim.crash(id, { scope: 'process', reason: 'test' }), `crash ${id}`);
  }

  restart(id: string, time: Micros): this {
    return this.at(time, () => this.sim.restart(id, { scope: 'process', reason: 'test' }), `restart ${id}`);
  }

  /** The live context of an actor, to act on its behalf from a world action. */
  ctx(id: string): Context {
    const ctx = this.sim.contextOf(id);
    if (ctx === undefined) throw new Error(`${id} is down`);
    return ctx;
  }

  run(until: Micros = Number.POSITIVE_INFINITY): string {
    this.sim.run({ until });
    return this.trace.close();
  }

  kinds(kind: string, at?: string): TraceRecord[] {
    return this.records.filter((r) => r.k === kind && (at === undefined || r.a === at));
  }
}

/** What an actor saw, in order: `[time, what]`. */
export type Log = [Micros, string][];

/** An actor that logs every callback into a shared log and otherwise does what its script says. */
export function logging(log: Log, script: Partial<Actor<Message>> = {}): () => Actor<Message> {
  return () => ({
    start(ctx) {
      log.push([ctx.now(), 'start']);
      script.start?.(ctx);
    },
    recover(ctx) {
      log.push([ctx.now(), 'recover']);
      script.recover?.(ctx);
    },
    onMessage(ctx, message, from) {
      log.push([ctx.now(), `${message.type} from ${from}`]);
      script.onMessage?.(ctx, message, from);
    },
    onTimer(ctx, wakeup: Wakeup) {
      log.push([ctx.now(), `timer ${wakeup.name}`]);
      script.onTimer?.(ctx, wakeup);
    },
  });
}
