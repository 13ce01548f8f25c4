/**
 * PHOLD-actors (issue #15): the public API against a bare typed-array heap loop, same workload,
 * same process; then the cost per delivery and the peak RSS from 10^2 to 10^5 actors.
 *
 *   node --import=tsx bench/phold.ts              (npm run bench:phold; ≈ 3 minutes)
 *   node --import=tsx bench/phold.ts --big        (also N = 10^5 in the scaling table)
 *   node --import=tsx bench/phold.ts --quick      (10^5 deliveries per run: noisier ratios, same warm-up)
 *   node --import=tsx bench/phold.ts --profile    (CPU profile of the public-API run, N = 1000)
 *   valgrind --tool=callgrind --collect-atstart=no '--toggle-collect=v8::internal::JsonParseInternalizer::Internalize*'
 *     node --single-threaded --import=tsx bench/phold.ts --child api 1000 100000 --count
 *                                                 (instructions of the measured window alone: `counted`)
 *
 * The workload. N actors, one per node, all on one site whose LAN latency is 100 ms. Each actor
 * starts holding one message. It takes one message at a time from its FIFO mailbox, holds it for
 * Exp(mean 1 s) (a timer; rounded to whole µs, since timers take integer µs), sends it to a
 * uniformly random actor, itself included, which receives it exactly 0.1 s later, then takes its
 * next message if one is waiting. A delivery is a message taken from the mailbox (the message each
 * actor starts with counts as one). Correctness: by Little's law the mean time per hop is
 * simulated end × N / deliveries; exact mean-value analysis of this closed queueing network gives
 * 2.0503 s for N = 1000 (`expectedHopSeconds`); both implementations must land within 3 %.
 *
 * Exactly 0.1 s, through the public API: the site's LAN has no jitter and no loss, and messages are
 * sent with `bytes: 0`, so the link's bandwidth adds `ceil(0 / bandwidth) = 0` µs. A message to
 * itself would go over loopback (a fixed 5 µs, `LOOPBACK_LATENCY_US`; the API has no way to give
 * loopback another latency), so an actor hands a message to itself with a 100 ms timer carrying it
 * instead: the same delay, a `timer` record instead of `send` + `recv`.
 *
 * The baseline has no framework at all: a struct-of-arrays binary heap keyed by (time, seq) with
 * an int payload (actor · 2 + kind), a waiting-message count and a busy flag per actor. It draws
 * from the same generator the kernel gives actors (seedrandom's Alea, one stream for hold times
 * and one for targets), so the ratio measures the framework, not the random number generator.
 *
 * Wall-clock time is read here on purpose: this is a benchmark, outside the simulation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { MS, SECOND, World, type Actor, type ActorRef, type Context, type Message, type Wakeup } from '../src/index.ts';
import { summarizeProfile, type CpuProfile } from './cpuprofile-summary.ts';
import { BareHeap, median, mps, stopwatch, table, type Elapsed } from './harness.ts';

const LATENCY_US = 100 * MS;
const SEED = 1;

/** Exact mean time per hop, s, by mean-value analysis: N FCFS Exp(1 s) queues visited uniformly, plus a 0.1 s delay. */
function expectedHopSeconds(n: number): number {
  let queued = 0;
  let residence = 0;
  for (let customers = 1; customers <= n; customers++) {
    residence = 1 + queued / n;
    queued = (customers / (residence + LATENCY_US / SECOND)) * residence;
  }
  return residence + LATENCY_US / SECOND;
}

/**
 * Simulated time before the measured window: ≈ 10 hops per message, several times the relaxation
 * time of the queues (each is an M/M/1 queue at ≈ 49 % load). At t = 0 every actor holds a message
 * and no queue has formed, so counting from 0 would read a short hop time — by about N / deliveries
 * — and time the actors' starts; the window from here on is the steady state.
 */
const WARM_UP_US = 20 * SECOND;

/** The measured window's simulated end, so that about `deliveries` messages are taken in it. */
function endUsFor(n: number, deliveries: number): number {
  return WARM_UP_US + Math.round(((deliveries * expectedHopSeconds(n)) / n) * SECOND);
}

interface Measured extends Elapsed {
  /** Messages taken in the measured window (after the warm-up); `seconds` is that window's. */
  deliveries: number;
  /** Wall time to build the world (or arrays) before the warm-up, s. */
  buildSeconds: number;
  /** Simulated time of the window × N / deliveries in it, s. */
  hopSeconds: number;
}

function measured(n: number, deliveries: number, elapsed: Elapsed, buildSeconds: number, windowUs: number): Measured {
  return { deliveries, ...elapsed, buildSeconds, hopSeconds: ((windowUs / SECOND) * n) / deliveries };
}

// ------------------------------------------------------------------------------------------------
// The workload through the public API, as a user would write it.

interface Token extends Message {
  type: 'token';
}

/** Deliveries counted by every actor of one run (outside the simulation, read after it). */
interface Tally {
  deliveries: number;
}

/** Sends through the refs `World.spawn` returned: resolved once, so a send looks up no name. */
class PholdActor implements Actor<Token> {
  private readonly mailbox: Token[] = [];
  private held: Token | undefined;

  constructor(
    private readonly peers: readonly ActorRef[],
    private readonly self: ActorRef,
    private readonly tally: Tally,
  ) {}

  start(ctx: Context): void {
    this.receive(ctx, { type: 'token' });
  }

  onMessage(ctx: Context, message: Token): void {
    this.receive(ctx, message);
  }

  onTimer(ctx: Context, wakeup: Wakeup): void {
    if (wakeup.name === 'arrive') {
      this.receive(ctx, wakeup.data as Token);
      return;
    }
    const message = this.held!;
    this.held = undefined;
    const to = this.peers[ctx.rng('target').int(0, this.peers.length - 1)];
    // To itself: a timer of the LAN's latency, since loopback would take 5 µs (see the header).
    if (to === this.self) ctx.setTimer(LATENCY_US, 'arrive', message);
    else ctx.send(to, message, { bytes: 0 });
    const next = this.mailbox.shift();
    if (next !== undefined) this.take(ctx, next);
  }

  private receive(ctx: Context, message: Token): void {
    if (this.held === undefined) this.take(ctx, message);
    else this.mailbox.push(message);
  }

  private take(ctx: Context, message: Token): void {
    this.held = message;
    this.tally.deliveries++;
    ctx.setTimer(Math.round(ctx.rng('hold').exponential(SECOND)), 'hold');
  }
}

/** Runs the measured window (`advance`); the profiling child wraps it in the profiler. */
type Window = (advance: () => void) => void;

const plainly: Window = (advance) => advance();

function runApi(n: number, deliveries: number, window: Window = plainly): Measured {
  const built = performance.now();
  const tally: Tally = { deliveries: 0 };
  const world = new World({ seed: SEED, scenario: 'phold-actors' });
  const nodes = world.addSite('lan', { nodes: n, lan: { latencyUs: LATENCY_US, jitterUs: 0, loss: 0 } });
  const peers: ActorRef[] = [];
  // Every actor starts once the run does, when all refs are in `peers`.
  nodes.forEach((node, i) => peers.push(world.spawn(`actor-${i}`, node, () => new PholdActor(peers, peers[i], tally))));
  const buildSeconds = (performance.now() - built) / 1000;
  world.advance({ until: WARM_UP_US });
  const before = tally.deliveries;
  const elapsed = stopwatch();
  window(() => world.advance({ until: endUsFor(n, deliveries) }));
  const spent = elapsed();
  const result = world.finish();
  return measured(n, tally.deliveries - before, spent, buildSeconds, result.simulatedTimeUs - WARM_UP_US);
}

// ------------------------------------------------------------------------------------------------
// The same workload as a bare loop.

const HOLD_END = 0;
const ARRIVAL = 1;

/** PHOLD-actors with no framework: typed arrays, one heap, int payloads `actor · 2 + kind`. */
class BareLoop {
  private readonly holdRng = seedrandom.alea(`${SEED}\u0000bare\u0000hold`);
  private readonly targetRng = seedrandom.alea(`${SEED}\u0000bare\u0000target`);
  // Every message has at most one pending event (its hold end or its arrival): N slots suffice.
  private readonly heap: BareHeap;
  /** Messages waiting in each actor's mailbox (messages are alike, so a count is the FIFO). */
  private readonly waiting: Int32Array;
  /** 1 while the actor holds a message. */
  private readonly busy: Uint8Array;
  private seq = 0;
  taken = 0;

  constructor(private readonly n: number) {
    this.heap = new BareHeap(n);
    this.waiting = new Int32Array(n);
    this.busy = new Uint8Array(n);
    for (let actor = 0; actor < n; actor++) {
      this.busy[actor] = 1;
      this.take(actor, 0);
    }
  }

  /** Runs every event at or before `until` (µs). */
  run(until: number): void {
    const { heap, waiting, busy, n } = this;
    while (heap.size > 0 && heap.peekTime() <= until) {
      const payload = heap.pop();
      const now = heap.poppedTime;
      const actor = payload >> 1;
      if ((payload & 1) === ARRIVAL) {
        if (busy[actor] === 1) waiting[actor]++;
        else {
          busy[actor] = 1;
          this.take(actor, now);
        }
      } else {
        heap.push(now + LATENCY_US, this.seq++, Math.floor(this.targetRng() * n) * 2 + ARRIVAL);
        if (waiting[actor] > 0) {
          waiting[actor]--;
          this.take(actor, now);
        } else busy[actor] = 0;
      }
    }
  }

  private take(actor: number, now: number): void {
    this.taken++;
    this.heap.push(now + Math.round(-SECOND * Math.log(1 - this.holdRng())), this.seq++, actor * 2 + HOLD_END);
  }
}

function runBare(n: number, deliveries: number, window: Window = plainly): Measured {
  const built = performance.now();
  const loop = new BareLoop(n);
  const buildSeconds = (performance.now() - built) / 1000;
  loop.run(WARM_UP_US);
  const before = loop.taken;
  const endUs = endUsFor(n, deliveries);
  const elapsed = stopwatch();
  window(() => loop.run(endUs));
  return measured(n, loop.taken - before, elapsed(), buildSeconds, endUs - WARM_UP_US);
}

// ------------------------------------------------------------------------------------------------
// Scaling: one child process per (implementation, N), so that peak RSS belongs to that run alone.

type Implementation = 'api' | 'bare';

interface ChildReport extends Measured {
  impl: Implementation;
  n: number;
  peakRssMiB: number;
}

/**
 * Deliveries of a JIT warm-up run (N = 1000, not measured) before every measured one. Without it
 * a short run (`--quick`, or small N in a child) times the bare loop while V8 still compiles it —
 * the loop is hot after ≈ 10^5 deliveries — and the ratio says nothing.
 */
const WARM_UP_DELIVERIES = 200_000;

function warmUp(impl: Implementation): void {
  if (impl === 'api') runApi(1_000, WARM_UP_DELIVERIES);
  else runBare(1_000, WARM_UP_DELIVERIES);
}

/** The 4th argument of a child that runs its window under `counted` instead of a profile's path. */
const COUNT = '--count';

function child(impl: Implementation, n: number, deliveries: number, profilePath: string | undefined): ChildReport {
  warmUp(impl);
  const window = profilePath === undefined ? plainly : profilePath === COUNT ? counted : profiling(profilePath);
  const measured = impl === 'api' ? runApi(n, deliveries, window) : runBare(n, deliveries, window);
  return { impl, n, ...measured, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

/**
 * A window run under V8's sampling profiler (what `node --cpu-prof` uses, 1 ms interval), its
 * profile written to `path`: the measured window only, not start-up and warm-up. In-thread
 * inspector calls answer synchronously.
 */
function profiling(path: string): Window {
  return (advance) => {
    const session = new Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.start');
    advance();
    session.post('Profiler.stop', (error, result) => {
      if (error !== null) throw error;
      writeFileSync(path, JSON.stringify(result.profile));
    });
    session.disconnect();
  };
}

/**
 * A window run from inside a `JSON.parse` reviver, so that the window alone is inside V8's C++
 * `JsonParseInternalizer::Internalize`: callgrind given `--collect-atstart=no` and that function to
 * `--toggle-collect` (the header's command) counts the window's instructions and nothing of
 * start-up, tsx, warm-up or exit. With `node --single-threaded` (the compiler on the main thread,
 * at the same points every run) two runs of one tree agree within 0.001 %, where whole-process
 * counts differ by percents (bench/README.md, "Session 20 — kernel").
 */
const counted: Window = (advance) => {
  JSON.parse('0', () => {
    advance();
    return 0;
  });
};

function runChild(impl: Implementation, n: number, deliveries: number, profilePath?: string): ChildReport {
  const self = fileURLToPath(import.meta.url);
  const args = ['--import=tsx', self, '--child', impl, String(n), String(deliveries), ...(profilePath === undefined ? [] : [profilePath])];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${impl} child at N = ${n} failed (${result.status ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as ChildReport;
}

// ------------------------------------------------------------------------------------------------
// Report.

const rate = (m: Measured) => m.deliveries / m.seconds;
const cpuRate = (m: Measured) => m.deliveries / m.cpuSeconds;

/** The hop-time check: within 3 % of the exact mean. */
function hopCheck(m: Measured, n: number): string {
  const expected = expectedHopSeconds(n);
  const error = m.hopSeconds / expected - 1;
  return `${m.hopSeconds.toFixed(4)} s (${error >= 0 ? '+' : ''}${(error * 100).toFixed(2)} %) ${Math.abs(error) <= 0.03 ? 'ok' : 'FAIL'}`;
}

function compareAtThousand(deliveries: number, rounds: number): boolean {
  const n = 1_000;
  warmUp('api');
  warmUp('bare');
  const api: Measured[] = [];
  const bare: Measured[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so a drift in machine load does not favour one side.
    if (round % 2 === 0) {
      bare.push(runBare(n, deliveries));
      api.push(runApi(n, deliveries));
    } else {
      api.push(runApi(n, deliveries));
      bare.push(runBare(n, deliveries));
    }
  }
  const row = (name: string, runs: Measured[]): string[] => {
    const mid = [...runs].sort((a, b) => rate(a) - rate(b))[(runs.length - 1) >> 1];
    const rounds = (of: (m: Measured) => number) => runs.map((r) => (of(r) / 1e6).toFixed(3)).join(' / ');
    return [name, rounds(rate), mps(median(runs.map(rate))), rounds(cpuRate), mps(median(runs.map(cpuRate))), mid.deliveries.toLocaleString('en'), hopCheck(mid, n)];
  };
  const ratio = median(api.map(rate)) / median(bare.map(rate));
  const cpuRatio = median(api.map(cpuRate)) / median(bare.map(cpuRate));
  console.log(`PHOLD-actors, N = ${n}, ≈ ${deliveries.toLocaleString('en')} deliveries per run, ${rounds} alternating rounds (medians; hop time of the median run)\n`);
  console.log(
    table(
      ['implementation', 'rounds (M/s)', 'deliveries/s', 'rounds (M/CPU-s)', 'per CPU-s', 'deliveries', `hop time (exact ${expectedHopSeconds(n).toFixed(4)} s)`],
      [row('bare typed-array heap', bare), row('public API (World, Actor)', api)],
    ),
  );
  console.log(`\nratio public API ÷ bare loop: ${ratio.toFixed(4)} (1/${(1 / ratio).toFixed(1)}) in wall time, ${cpuRatio.toFixed(4)} (1/${(1 / cpuRatio).toFixed(1)}) in CPU time; goal ≥ 0.5`);
  const ok = [...api, ...bare].every((m) => Math.abs(m.hopSeconds / expectedHopSeconds(n) - 1) <= 0.03);
  return ok;
}

function scaling(sizes: readonly number[], deliveries: number): boolean {
  const rows: string[][] = [];
  let ok = true;
  let first: number | undefined;
  for (const n of sizes) {
    const bare = runChild('bare', n, deliveries);
    const api = runChild('api', n, deliveries);
    ok &&= [api, bare].every((m) => Math.abs(m.hopSeconds / expectedHopSeconds(n) - 1) <= 0.03);
    const usPerDelivery = (api.cpuSeconds * 1e6) / api.deliveries;
    first ??= usPerDelivery;
    rows.push([
      n.toLocaleString('en'),
      api.deliveries.toLocaleString('en'),
      mps(rate(api)),
      `${usPerDelivery.toFixed(2)} µs`,
      `${(usPerDelivery / first).toFixed(2)}×`,
      `${api.buildSeconds.toFixed(2)} s`,
      `${api.peakRssMiB.toFixed(0)} MiB`,
      mps(rate(bare)),
      (rate(api) / rate(bare)).toFixed(4),
      (cpuRate(api) / cpuRate(bare)).toFixed(4),
      `${bare.peakRssMiB.toFixed(0)} MiB`,
      hopCheck(api, n),
    ]);
  }
  console.log(`\nScaling: one child process per implementation and N, ≈ ${deliveries.toLocaleString('en')} deliveries each\n`);
  console.log(
    table(['N', 'deliveries', 'API deliveries/s', 'API CPU per delivery', 'vs N=100', 'API build', 'API peak RSS', 'bare deliveries/s', 'ratio', 'ratio (CPU)', 'bare peak RSS', 'API hop time vs exact'], rows),
  );
  console.log('\nPeak RSS includes Node, the tsx loader and an N = 1000 JIT warm-up run before the measured one (the bare child does the same: its RSS is that floor).');
  return ok;
}

/** Profiles the public-API run at N = 1000 in a child and prints where its time goes. */
function profile(deliveries: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'diaspora-phold-prof-'));
  try {
    const path = join(dir, 'phold.cpuprofile');
    const report = runChild('api', 1_000, deliveries, path);
    console.log(`CPU profile of the public-API run's measured window, N = 1000, ${report.deliveries.toLocaleString('en')} deliveries, ${mps(rate(report))} under the profiler\n`);
    console.log(summarizeProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, { top: 25, root: fileURLToPath(new URL('..', import.meta.url)) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const quick = process.argv.includes('--quick');
  const deliveries = quick ? 100_000 : 1_000_000;
  const started = performance.now();
  console.log(`diaspora-sim PHOLD-actors benchmark — Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  if (process.argv.includes('--profile')) {
    profile(deliveries);
    return;
  }
  // Quick runs are shorter, not fewer: a median of three, after the same warm-up, so that their ratios mean what the full run's do.
  let ok = compareAtThousand(deliveries, 3);
  const sizes = process.argv.includes('--big') ? [100, 1_000, 10_000, 100_000] : [100, 1_000, 10_000];
  ok = scaling(sizes, quick ? 100_000 : 500_000) && ok;
  console.log(`\nTotal benchmark time: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (!ok) {
    console.log('A hop-time check FAILED: the implementations do not run the workload described.');
    process.exitCode = 1;
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const [impl, n, deliveries, profilePath] = process.argv.slice(childAt + 1);
  console.log(JSON.stringify(child(impl as Implementation, Number(n), Number(deliveries), profilePath)));
} else {
  main();
}
