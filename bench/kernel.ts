/**
 * Kernel benchmark: how fast the simulator dispatches events, next to a bare binary-heap loop doing
 * the same scheduling in the same process, and whether memory stays flat as a run grows.
 *
 *   node --import=tsx bench/kernel.ts            (npm run bench:kernel)
 *   node --import=tsx bench/kernel.ts --quick    (shorter measurements, for a smoke test)
 *   valgrind --tool=callgrind --collect-atstart=no '--toggle-collect=v8::internal::JsonParseInternalizer::Internalize*'
 *     node --single-threaded --import=tsx bench/kernel.ts --count ping-pong 1000 100000
 *                                                (instructions of one measured window alone: `counted`;
 *                                                 `--count bare|timers|ping-pong PENDING EVENTS [discarded]`)
 *
 * Throughput. Two workloads keep a constant number of pending events (10^3 and 10^5); every event
 * schedules exactly one more with a pseudo-random delay of 1–1000 µs:
 *   - timers:    N actors with K self-rescheduling timers each (N·K pending);
 *   - ping-pong: P pairs of actors on their own pair of nodes bounce B balls each (P·B in flight),
 *                through the world's LAN channels (latency + jitter + FIFO).
 * Each is run through the kernel with the trace hashed (the default and only kernel mode) and, for
 * reference, with a bench-only `TraceWriter` subclass that discards records (the kernel has no
 * switch to skip hashing; the subclass shows what the trace hash costs). The baseline is a bare
 * struct-of-arrays binary heap doing the same push-one-per-pop loop. Measurements alternate
 * kernel and baseline runs and report the median of the rounds, in wall time and in the process's
 * CPU time (which a loaded machine distorts less), because the machines are noisy.
 *
 * Memory. Child processes (so that peak RSS is per run) run 10^6 and 10^7 events with the trace
 * streamed to a file in os.tmpdir() (deleted after) and report peak RSS, RSS sampled along the
 * run, and the live JS heap after a forced GC (`--expose-gc`) at the same points: none of them
 * should grow with the event count.
 *
 * Wall-clock time is read here on purpose: this is a benchmark, outside the simulation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { TraceWriter, traceFile, World, type Actor, type Context, type Message, type TraceRecord } from '../src/index.ts';
import { BareHeap, median, mps as rateOf, stopwatch, table } from './harness.ts';

// ------------------------------------------------------------------------------------------------
// Shared pseudo-random delays: the same cheap generator drives the kernel actors and the baseline,
// so the comparison measures scheduling, not random number generation.

let rngState = 0x9e3779b9;
function resetDelays(seed = 0x9e3779b9): void {
  rngState = seed >>> 0 || 1;
}
/** Uniform integer delay in [1, 1000] µs (xorshift32). */
function nextDelay(): number {
  let x = rngState;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  rngState = x >>> 0;
  return 1 + (rngState % 1000);
}

/** Events per second of wall time and per second of this process's CPU time. */
interface Rate {
  wall: number;
  cpu: number;
  /** Events run in the measured stretch. */
  events: number;
}

/** Wall and CPU time of `run`, s: CPU time is what a loaded machine distorts least. */
function timed(run: () => void): { wall: number; cpu: number } {
  const elapsed = stopwatch();
  run();
  const { seconds, cpuSeconds } = elapsed();
  return { wall: seconds, cpu: cpuSeconds };
}

/**
 * How a measured stretch runs: as it is, or (`--count`) inside a `JSON.parse` reviver, so that
 * callgrind toggled on V8's `JsonParseInternalizer::Internalize` counts it alone (bench/phold.ts's
 * `counted`; the command is in this file's header).
 */
type Window = (run: () => void) => void;
const plainly: Window = (run) => run();
const counted: Window = (run) => {
  JSON.parse('0', () => {
    run();
    return 0;
  });
};

/** Runs `events` events of the bare loop with `pending` events outstanding. */
function bareLoop(pending: number, events: number): Rate {
  resetDelays();
  const heap = new BareHeap(pending + 1);
  let seq = 0;
  for (let i = 0; i < pending; i++) heap.push(nextDelay(), seq++, i);
  let checksum = 0;
  const time = timed(() => {
    for (let n = 0; n < events; n++) {
      const id = heap.pop();
      checksum += id;
      heap.push(heap.poppedTime + nextDelay(), seq++, id);
    }
  });
  if (checksum < 0) console.log(checksum); // keeps the loop observable
  return { wall: events / time.wall, cpu: events / time.cpu, events };
}

// ------------------------------------------------------------------------------------------------
// Kernel workloads.

type Workload = 'timers' | 'ping-pong';

/**
 * A trace that only counts records: no hash (bench-only; the kernel has no such mode). The hot
 * kinds arrive by their fields (`writeSend`, `writeRecv`, `writeTimer`) and are dropped as they
 * come: the difference to the hashed rows is what the trace hash costs.
 */
class DiscardingTrace extends TraceWriter {
  private discarded = 0;
  override write(_record: TraceRecord): void {
    this.discarded++;
  }
  override writeSend(): void {
    this.discarded++;
  }
  override writeRecv(): void {
    this.discarded++;
  }
  override writeTimer(): void {
    this.discarded++;
  }
  override get records(): number {
    return this.discarded;
  }
}

class Ticker implements Actor {
  constructor(private readonly timers: number) {}
  start(ctx: Context): void {
    for (let i = 0; i < this.timers; i++) ctx.setTimer(nextDelay(), 'tick');
  }
  onTimer(ctx: Context): void {
    ctx.setTimer(nextDelay(), 'tick');
  }
}

const BALL: Message = { type: 'ball' };

class Player implements Actor {
  constructor(
    private readonly peer: string | undefined,
    private readonly balls: number,
  ) {}
  start(ctx: Context): void {
    if (this.peer !== undefined) for (let i = 0; i < this.balls; i++) ctx.send(this.peer, BALL);
  }
  onMessage(ctx: Context, message: Message, from: string): void {
    ctx.send(from, message);
  }
}

/** Splits `pending` into actors × per-actor events. */
function shape(pending: number): { actors: number; each: number } {
  const actors = pending >= 100_000 ? 1_000 : 100;
  return { actors, each: pending / actors };
}

function buildWorld(workload: Workload, pending: number, trace: TraceWriter): World {
  resetDelays();
  const world = new World({ seed: 1, trace, scenario: `bench-${workload}` });
  const { actors, each } = shape(pending);
  if (workload === 'timers') {
    const nodes = world.addSite('farm', { nodes: 10 });
    for (let i = 0; i < actors; i++) world.spawn(`ticker-${i}`, nodes[i % nodes.length], () => new Ticker(each));
  } else {
    // Each pair on its own two nodes, so every pair has its own LAN channel; the delay of a ball is
    // 1 µs latency + 1 µs on the wire + a jitter of 0–998 µs (the world's seeded stream).
    const nodes = world.addSite('arena', { nodes: 2 * actors, lan: { latencyUs: 1, jitterUs: 998, bandwidthBytesPerSec: 1_250_000_000, loss: 0 } });
    for (let i = 0; i < actors; i++) {
      world.spawn(`server-${i}`, nodes[2 * i], () => new Player(`receiver-${i}`, each));
      world.spawn(`receiver-${i}`, nodes[2 * i + 1], () => new Player(undefined, 0));
    }
  }
  return world;
}

/** Advances a world until at least `events` more events ran; returns how many. */
function advanceEvents(world: World, events: number, pending: number): number {
  // Roughly `pending / 500` events per simulated µs (mean delay ~500 µs): steps of up to ~20k
  // events, shrinking near the target so that a run overshoots it by little.
  const before = world.events;
  for (let left = events; left > 0; left = events - (world.events - before)) {
    world.advance({ until: world.now() + Math.max(1, Math.ceil((Math.min(left, 20_000) * 500) / pending)) });
  }
  return world.events - before;
}

/** Events per second (wall and CPU) of the kernel on one workload, after a warm-up. */
function kernelLoop(workload: Workload, pending: number, hashed: boolean, events: number, window: Window = plainly): Rate {
  const world = buildWorld(workload, pending, hashed ? new TraceWriter() : new DiscardingTrace());
  advanceEvents(world, Math.max(pending * 2, 50_000), pending); // start-up and JIT warm-up
  let ran = 0;
  const time = timed(() => window(() => (ran = advanceEvents(world, events, pending))));
  world.finish();
  return { wall: ran / time.wall, cpu: ran / time.cpu, events: ran };
}

// ------------------------------------------------------------------------------------------------
// Memory: one child process per run, so that peak RSS belongs to that run alone.

interface RssReport {
  workload: Workload;
  events: number;
  records: number;
  traceBytes: number;
  seconds: number;
  peakRssMiB: number;
  /** RSS (MiB) when 10%, 50% and 100% of the events had run. */
  rssAtMiB: [number, number, number];
  /** Live JS heap (MiB) after a full GC at the same points: what the run actually retains. */
  liveHeapAtMiB: [number, number, number];
}

function rssChild(workload: Workload, events: number): RssReport {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-bench-'));
  const path = join(dir, 'trace.jsonl');
  try {
    const pending = 1_000;
    const world = buildWorld(workload, pending, new TraceWriter(traceFile(path)));
    const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
    const gc = (globalThis as { gc?: () => void }).gc;
    const rss: number[] = [];
    const live: number[] = [];
    let gcSeconds = 0;
    const started = performance.now();
    for (const fraction of [0.1, 0.5, 1]) {
      advanceEvents(world, Math.round(events * fraction) - world.events, pending);
      rss.push(mib(process.memoryUsage().rss));
      const gcStarted = performance.now();
      gc?.();
      gcSeconds += (performance.now() - gcStarted) / 1000;
      live.push(mib(process.memoryUsage().heapUsed));
    }
    const result = world.finish();
    const seconds = (performance.now() - started) / 1000 - gcSeconds;
    return {
      workload,
      events: result.events,
      records: result.records,
      traceBytes: statSync(path).size,
      seconds,
      peakRssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
      rssAtMiB: rss as [number, number, number],
      liveHeapAtMiB: live as [number, number, number],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runRssChild(workload: Workload, events: number): RssReport {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--expose-gc', '--import=tsx', self, '--rss-child', workload, String(events)], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`RSS child failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as RssReport;
}

// ------------------------------------------------------------------------------------------------
// Report.

const mps = (x: number) => rateOf(x, 2);

function main(): void {
  const quick = process.argv.includes('--quick');
  const rounds = quick ? 1 : 3;
  const kernelEvents = quick ? 200_000 : 1_000_000;
  const bareEvents = quick ? 2_000_000 : 10_000_000;
  const benchStarted = performance.now();
  console.log(`diaspora-sim kernel benchmark — Node ${process.version}, ${rounds} round(s), median shown\n`);

  const rows: string[][] = [];
  for (const pending of [1_000, 100_000]) {
    const bare: Rate[] = [];
    const kernel: Record<string, Rate[]> = {};
    for (let round = 0; round < rounds; round++) {
      bare.push(bareLoop(pending, bareEvents));
      for (const workload of ['timers', 'ping-pong'] as const) {
        for (const hashed of [true, false]) (kernel[`${workload}|${hashed}`] ??= []).push(kernelLoop(workload, pending, hashed, kernelEvents));
      }
    }
    const wall = median(bare.map((r) => r.wall));
    const cpu = median(bare.map((r) => r.cpu));
    rows.push([`bare heap loop`, pending.toLocaleString('en'), '—', mps(wall), '1', mps(cpu), '1']);
    for (const workload of ['timers', 'ping-pong'] as const) {
      for (const hashed of [true, false]) {
        const runs = kernel[`${workload}|${hashed}`];
        const [w, c] = [median(runs.map((r) => r.wall)), median(runs.map((r) => r.cpu))];
        rows.push([`kernel ${workload}`, pending.toLocaleString('en'), hashed ? 'hashed' : 'discarded*', mps(w), (w / wall).toFixed(3), mps(c), (c / cpu).toFixed(3)]);
      }
    }
  }
  console.log(table(['loop', 'pending', 'trace', 'events/s', 'ratio', 'events/CPU-s', 'ratio (CPU)'], rows));
  console.log('\n* discarded: bench-only TraceWriter subclass that drops records (no trace hash); the kernel itself always hashes.\n');

  const rss: RssReport[] = [];
  const sizes = quick ? [100_000, 1_000_000] : [1_000_000, 10_000_000];
  for (const workload of ['timers', 'ping-pong'] as const) for (const events of sizes) rss.push(runRssChild(workload, events));
  console.log('Memory (trace streamed to a file in os.tmpdir(), 10^3 pending events; one child process per run)\n');
  console.log(
    table(
      ['workload', 'events', 'records', 'trace file', 'time', 'events/s', 'RSS @10% / 50% / 100%', 'peak RSS', 'live heap @10% / 50% / 100%'],
      rss.map((r) => [
        r.workload,
        r.events.toLocaleString('en'),
        r.records.toLocaleString('en'),
        `${(r.traceBytes / 2 ** 20).toFixed(0)} MiB`,
        `${r.seconds.toFixed(1)} s`,
        mps(r.events / r.seconds),
        `${r.rssAtMiB.map((x) => x.toFixed(0)).join(' / ')} MiB`,
        `${r.peakRssMiB.toFixed(0)} MiB`,
        `${r.liveHeapAtMiB.map((x) => x.toFixed(1)).join(' / ')} MiB`,
      ]),
    ),
  );
  console.log(`\nTotal benchmark time: ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
}

const childAt = process.argv.indexOf('--rss-child');
const countAt = process.argv.indexOf('--count');
if (countAt >= 0) {
  // One measured window under `counted`: `--count bare|timers|ping-pong PENDING EVENTS [discarded]`.
  const [what, pending, events, trace] = process.argv.slice(countAt + 1);
  // The bare loop is counted whole (its heap filled first: `pending` pushes) after a run that warms
  // it up, so that its code is the one the report runs, not one compiled around a window.
  let rate: Rate | undefined;
  if (what === 'bare') {
    bareLoop(Number(pending), Math.max(2 * Number(pending), 50_000));
    counted(() => (rate = bareLoop(Number(pending), Number(events))));
  } else rate = kernelLoop(what as Workload, Number(pending), trace !== 'discarded', Number(events), counted);
  console.log(JSON.stringify({ what, pending: Number(pending), trace: trace ?? 'hashed', ...rate }));
} else if (childAt >= 0) {
  const workload = process.argv[childAt + 1] as Workload;
  const events = Number(process.argv[childAt + 2]);
  console.log(JSON.stringify(rssChild(workload, events)));
} else {
  main();
}
