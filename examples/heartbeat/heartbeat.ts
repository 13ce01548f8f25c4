/**
 * A user-defined protocol, written against the public API only: a heartbeat failure detector.
 *
 * Every worker sends a heartbeat to the monitor each `periodUs`; the monitor suspects a worker it
 * has not heard from for `timeoutUs`, and trusts it again when a heartbeat arrives. Each change of
 * opinion is a `state` trace record (`suspect` / `trust`).
 *
 * What it guarantees: a crashed worker is suspected within `timeoutUs + periodUs` of its crash
 * (completeness). How it fails: it is not accurate — a partition between a live worker and the
 * monitor makes the monitor suspect a worker that never crashed, exactly as any timeout-based
 * detector in an asynchronous network must.
 */
import { World, execute, SECOND, MS, TraceWriter, type Actor, type Context, type Message, type Micros, type RunSummary, type Wakeup } from 'diaspora-sim';

interface Heartbeat extends Message {
  type: 'heartbeat';
}

export class Worker implements Actor<Heartbeat> {
  constructor(private readonly monitor: string, private readonly periodUs: Micros) {}

  start(ctx: Context): void {
    // A random phase, drawn from this actor's own stream, so workers do not beat in lockstep.
    ctx.setTimer(ctx.rng('phase').int(0, this.periodUs), 'beat');
  }

  onTimer(ctx: Context): void {
    ctx.send<Heartbeat>(this.monitor, { type: 'heartbeat' });
    ctx.setTimer(this.periodUs, 'beat');
  }
}

export class Monitor implements Actor<Heartbeat> {
  private readonly lastHeard = new Map<string, Micros>();
  private readonly suspected = new Set<string>();

  constructor(private readonly workers: readonly string[], private readonly timeoutUs: Micros) {}

  start(ctx: Context): void {
    for (const w of this.workers) this.lastHeard.set(w, 0);
    ctx.setTimer(this.timeoutUs / 4, 'sweep');
  }

  onMessage(ctx: Context, _message: Heartbeat, from: string): void {
    this.lastHeard.set(from, ctx.now());
    if (this.suspected.delete(from)) ctx.record('state', { op: 'trust', worker: from });
  }

  onTimer(ctx: Context, _wakeup: Wakeup): void {
    for (const [worker, heard] of this.lastHeard) {
      if (!this.suspected.has(worker) && ctx.now() - heard > this.timeoutUs) {
        this.suspected.add(worker);
        ctx.record('state', { op: 'suspect', worker });
      }
    }
    ctx.setTimer(this.timeoutUs / 4, 'sweep');
  }
}

export interface HeartbeatOptions {
  seed: number;
  /** When the worker on edge-2 crashes (and stays down). */
  crashAtUs?: Micros;
  /** A window during which the edge site is cut off from the core. */
  partition?: { atUs: Micros; forUs: Micros };
  /** Where the trace goes (a file, for reading it back); hashed only by default. */
  trace?: TraceWriter;
}

/** Two edge workers, a monitor at the core, a 20 ms WAN: build, fault, run, summarise. */
export function runHeartbeat(options: HeartbeatOptions): RunSummary {
  const world = new World({ seed: options.seed, scenario: 'heartbeat', trace: options.trace });
  world.addSite('edge', { role: 'edge', nodes: 2 });
  world.addSite('core', { role: 'cloud' });
  world.link('edge', 'core', { latencyUs: 20 * MS });
  const workers = ['worker-1', 'worker-2'];
  world.spawn('monitor', 'core-1', () => new Monitor(workers, 500 * MS));
  workers.forEach((w, i) => world.spawn(w, `edge-${i + 1}`, () => new Worker('monitor', 100 * MS)));
  if (options.crashAtUs !== undefined) world.at(options.crashAtUs, 'crash edge-2', () => world.crashNode('edge-2', 'example fault'));
  const cut = options.partition;
  if (cut !== undefined) {
    world.at(cut.atUs, 'partition', () => world.partition({ id: 'cut', from: ['edge'], to: ['core'] }));
    world.at(cut.atUs + cut.forUs, 'heal', () => world.heal('cut'));
  }
  return execute({ scenario: 'heartbeat', world, endUs: 10 * SECOND, checks: [], metrics: [] });
}

// Run directly: `node --import=tsx examples/heartbeat/heartbeat.ts`
if (import.meta.url === `file://${process.argv[1]}`) {
  const summary = runHeartbeat({ seed: 1, crashAtUs: 3 * SECOND });
  console.log(`heartbeat: ${summary.events} events, trace hash ${summary.traceHash}`);
}
