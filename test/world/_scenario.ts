/**
 * A small scenario DSL for world tests (STYLE.md habit 6), so that a test reads like the scenario:
 *
 *   const s = new Scenario();
 *   s.site('edge', { nodes: 2 }); s.site('core'); s.link('edge', 'core', { latencyUs: 2 * MS });
 *   const [alice, bob] = [s.puppet('alice', 'edge-1'), s.puppet('bob', 'core-1')];
 *   s.at(10, () => alice.send('bob', { bytes: 1_000 }));
 *   s.partition(['edge'], ['core']).at(1 * MS).for(5 * MS);
 *   s.crashNode('core-1').at(20 * MS);  s.restartNode('core-1').at(30 * MS);
 *   s.run(1 * SECOND);
 *   bob.inbox  // what arrived, when
 *
 * Puppets are actors driven from outside: a world action at time t makes one send, write or fsync
 * through its live context, exactly as its own handler would at t. What they observe (arrivals,
 * wakeups, recoveries with the files they found) is logged outside the actor, so it survives
 * crashes.
 */
import type { Actor, Context, Disk, Message, Micros, TraceRecord, Wakeup } from '../../src/kernel/index.ts';
import { SECOND, TraceWriter } from '../../src/kernel/index.ts';
import type { DiskParams, LinkParams, RunResult, SiteOptions } from '../../src/world/index.ts';
import { World } from '../../src/world/index.ts';
import { simulatorOf } from '../../src/world/world.ts';

/** `ceil(bytes · 1e6 / bandwidth)` in exact integer arithmetic: the time a link or disk is busy. */
export function transmissionUs(bytes: number, bytesPerSec: number): Micros {
  const numerator = BigInt(bytes) * BigInt(SECOND);
  const bandwidth = BigInt(bytesPerSec);
  return Number((numerator + bandwidth - 1n) / bandwidth);
}

export interface Arrival {
  t: Micros;
  from: string;
  /** The sender's own number for the message (its order of sending). */
  id: number;
}

export interface DataMessage extends Message {
  type: 'data';
  id: number;
}

/** Files as an actor sees them: name → records. */
export type Files = Record<string, unknown[]>;

export class Puppet {
  readonly inbox: Arrival[] = [];
  readonly wakeups: [Micros, string][] = [];
  /** What the actor found on its disk at each `recover`. */
  readonly recoveries: { t: Micros; files: Files }[] = [];
  /** `[time, peer, cause]` of every disconnect heard (only when it listens for them). */
  readonly disconnects: [Micros, string, string][] = [];
  private sent = 0;

  constructor(
    private readonly scenario: Scenario,
    readonly id: string,
    private readonly listens = false,
  ) {}

  actor(): Actor<DataMessage> {
    const actor: Actor<DataMessage> = {
      recover: (ctx) => this.recoveries.push({ t: ctx.now(), files: filesOf(ctx.disk) }),
      onMessage: (ctx, message, from) => this.inbox.push({ t: ctx.now(), from, id: message.id }),
      onTimer: (ctx, wakeup: Wakeup) => this.wakeups.push([ctx.now(), wakeup.name]),
    };
    if (this.listens) actor.onDisconnect = (ctx, { peer, cause }) => this.disconnects.push([ctx.now(), peer, cause]);
    return actor;
  }

  get ctx(): Context {
    const ctx = simulatorOf(this.scenario.world).contextOf(this.id);
    if (ctx === undefined) throw new Error(`puppet ${this.id} is down`);
    return ctx;
  }

  get disk(): Disk {
    return this.ctx.disk;
  }

  /** Sends a numbered data message now; returns its number. */
  send(to: string, options: { bytes?: number } = {}): number {
    const id = this.sent++;
    this.ctx.send<DataMessage>(to, { type: 'data', id }, options);
    return id;
  }

  /** Arrival times of messages from one sender, by message number. */
  arrivalsFrom(from: string): Micros[] {
    return this.inbox.filter((a) => a.from === from).map((a) => a.t);
  }

  files(): Files {
    return filesOf(this.disk);
  }
}

function filesOf(disk: Disk): Files {
  const files: Files = {};
  for (const name of disk.files()) files[name] = [...(disk.read(name) ?? [])];
  return files;
}

/** Something that happens at a time: `s.crashNode('n').at(t)`. */
export interface Happening {
  at(time: Micros): void;
}

/** A partition: `.at(t)` starts it, `.for(d)` heals it `d` later. */
export interface PartitionPlan {
  at(time: Micros): { for(duration: Micros): void };
}

export class Scenario {
  readonly world: World;
  readonly records: TraceRecord[] = [];
  private partitions = 0;
  result: RunResult | undefined;

  constructor(seed = 1) {
    const trace = new TraceWriter();
    trace.listen((record) => this.records.push(record));
    this.world = new World({ seed, trace, scenario: 'test' });
  }

  site(id: string, options: SiteOptions = {}): string[] {
    return this.world.addSite(id, options);
  }

  /** A site whose LAN is exactly these parameters (no jitter, no loss unless given). */
  lanSite(id: string, nodes: number, lan: Partial<LinkParams>, disk?: Partial<DiskParams>): string[] {
    return this.world.addSite(id, { nodes, lan: { jitterUs: 0, loss: 0, ...lan }, disk });
  }

  link(siteA: string, siteB: string, params: Partial<LinkParams> & { latencyUs: Micros }): void {
    this.world.link(siteA, siteB, params);
  }

  /** An actor driven by the test; with `listens`, it handles `onDisconnect` (recording each in `disconnects`). */
  puppet(id: string, node: string, options: { listens?: boolean } = {}): Puppet {
    const puppet = new Puppet(this, id, options.listens);
    this.world.spawn(id, node, () => puppet.actor());
    return puppet;
  }

  at(time: Micros, action: () => void): this {
    this.world.at(time, 'test action', action);
    return this;
  }

  crashNode(node: string): Happening {
    return { at: (time) => this.world.at(time, `crash ${node}`, () => this.world.crashNode(node, 'test')) };
  }

  restartNode(node: string): Happening {
    return { at: (time) => this.world.at(time, `restart ${node}`, () => this.world.restartNode(node, 'test')) };
  }

  crashActor(id: string): Happening {
    return { at: (time) => this.world.at(time, `crash ${id}`, () => this.world.crashActor(id, 'test')) };
  }

  restartActor(id: string): Happening {
    return { at: (time) => this.world.at(time, `restart ${id}`, () => this.world.restartActor(id, 'test')) };
  }

  partition(from: readonly string[], to: readonly string[], options: { oneWay?: boolean } = {}): PartitionPlan {
    const id = `p${++this.partitions}`;
    return {
      at: (time) => {
        this.world.at(time, `partition ${id}`, () => this.world.partition({ id, from, to, oneWay: options.oneWay }));
        return { for: (duration) => this.world.at(time + duration, `heal ${id}`, () => this.world.heal(id)) };
      },
    };
  }

  run(until: Micros): RunResult {
    this.result = this.world.run({ until });
    return this.result;
  }

  /** Trace records of one kind, optionally at one actor. */
  kinds(kind: string, at?: string): TraceRecord[] {
    return this.records.filter((r) => r.k === kind && (at === undefined || r.a === at));
  }

  /** `[time, cause]` of every dropped message. */
  drops(): [Micros, string, string][] {
    return this.kinds('drop').map((r) => [r.t, r.a, String(r.cause)]);
  }

  /** `[time, op]` of the disk records of one actor, for the given ops. */
  diskOps(actor: string, ...ops: string[]): [Micros, string][] {
    return this.kinds('disk', actor)
      .filter((r) => ops.length === 0 || ops.includes(String(r.op)))
      .map((r) => [r.t, String(r.op)]);
  }
}
