/**
 * The floor under PHOLD-actors' flatness (issue #15): the bare loop of bench/phold.ts plus only
 * the memory the workload's own code touches per delivery through the public API — its actor
 * object (`held`), that actor's `Token[]` mailbox (`push`/`shift`, as PholdActor writes it), the
 * token, and the peer's ref object picked from the `peers` array — with no kernel at all. What
 * this loop's cost per delivery grows by from N = 10^2 to 10^5 is what any kernel under the same
 * workload code pays at least: each of those objects is a cache (and, on a VM with 4 KiB pages, a
 * TLB) miss once there are many actors, and none of them is the kernel's to place.
 *
 *   node --import=tsx bench/phold-floor.ts objects 100000 300000   (one run: a JSON line)
 *   node --import=tsx bench/phold-floor.ts bare 100000 300000      (the same loop without the objects)
 *   node --import=tsx bench/phold-floor.ts                          (both, N = 10^2 … 10^5, three rounds: a table)
 *
 * Same workload, seeds and warm-up as bench/phold.ts's bare child (an N = 1000 run first, then a
 * 20 s simulated warm-up; arrivals come 0.1 s after their send, so messages in flight arrive in the
 * order they were sent and a ring of N tokens carries them). Wall-clock time is read on purpose: a benchmark.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { BareHeap, median, stopwatch, table } from './harness.ts';

const SECOND = 1_000_000;
const LATENCY_US = 100_000;
/** Simulated time per hop at these N (bench/phold.ts computes it exactly: 2.03–2.06 s): sizes the window. */
const HOP_US = 2.05 * SECOND;
const WARM_UP_US = 20 * SECOND;

interface Token {
  type: 'token';
}
interface Ref {
  readonly id: string;
  readonly index: number;
}
/** What PholdActor keeps: its mailbox, the message it holds, its own ref. */
interface Holder {
  readonly mailbox: Token[];
  held: Token | undefined;
  readonly self: Ref;
}

/** PHOLD-actors as bench/phold.ts's bare loop, and, when `objects`, with PholdActor's objects moved as it moves them. */
class FloorLoop {
  private readonly hold = seedrandom.alea(`1\u0000bare\u0000hold`);
  private readonly target = seedrandom.alea(`1\u0000bare\u0000target`);
  private readonly heap: BareHeap;
  private readonly waiting: Int32Array;
  private readonly busy: Uint8Array;
  private readonly refs: Ref[] = [];
  private readonly holders: Holder[] = [];
  /** Tokens in flight, oldest first (a ring of N: there are N tokens). */
  private readonly flight: (Token | undefined)[];
  private head = 0;
  private tail = 0;
  private seq = 0;
  taken = 0;

  constructor(
    private readonly n: number,
    private readonly objects: boolean,
  ) {
    this.heap = new BareHeap(n);
    this.waiting = new Int32Array(n);
    this.busy = new Uint8Array(n);
    this.flight = new Array<Token | undefined>(n).fill(undefined);
    for (let i = 0; i < n; i++) this.refs.push({ id: `actor-${i}`, index: i });
    for (let i = 0; i < n; i++) this.holders.push({ mailbox: [], held: undefined, self: this.refs[i] });
    for (let actor = 0; actor < n; actor++) {
      this.busy[actor] = 1;
      this.take(actor, 0, { type: 'token' });
    }
  }

  run(until: number): void {
    const { heap, waiting, busy, n, objects, holders, refs, flight } = this;
    while (heap.size > 0 && heap.peekTime() <= until) {
      const payload = heap.pop();
      const now = heap.poppedTime;
      const actor = payload >> 1;
      if ((payload & 1) === 1) {
        let token: Token | undefined;
        if (objects) {
          token = flight[this.head];
          flight[this.head] = undefined;
          this.head = (this.head + 1) % n;
        }
        if (busy[actor] === 1) {
          waiting[actor]++;
          if (objects) holders[actor].mailbox.push(token!);
        } else {
          busy[actor] = 1;
          this.take(actor, now, token);
        }
      } else {
        let to = Math.floor(this.target() * n);
        if (objects) {
          const holder = holders[actor];
          const ref = refs[to];
          flight[this.tail] = holder.held;
          this.tail = (this.tail + 1) % n;
          holder.held = undefined;
          to = ref === holder.self ? actor : ref.index;
        }
        heap.push(now + LATENCY_US, this.seq++, to * 2 + 1);
        if (waiting[actor] > 0) {
          waiting[actor]--;
          this.take(actor, now, objects ? holders[actor].mailbox.shift() : undefined);
        } else busy[actor] = 0;
      }
    }
  }

  private take(actor: number, now: number, token: Token | undefined): void {
    this.taken++;
    if (this.objects) this.holders[actor].held = token;
    this.heap.push(now + Math.round(-SECOND * Math.log(1 - this.hold())), this.seq++, actor * 2);
  }
}

function child(objects: boolean, n: number, deliveries: number): { usPerDelivery: number; peakRssMiB: number } {
  new FloorLoop(1_000, objects).run(WARM_UP_US + (200_000 * HOP_US) / 1_000);
  const loop = new FloorLoop(n, objects);
  loop.run(WARM_UP_US);
  const before = loop.taken;
  const elapsed = stopwatch();
  loop.run(WARM_UP_US + Math.round((deliveries * HOP_US) / n));
  const spent = elapsed();
  return { usPerDelivery: (spent.cpuSeconds * 1e6) / (loop.taken - before), peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

function main(): void {
  const self = fileURLToPath(import.meta.url);
  const sizes = [100, 1_000, 10_000, 100_000];
  const runs = new Map<string, number[]>();
  for (let round = 0; round < 3; round++) {
    for (const n of sizes) {
      for (const mode of ['bare', 'objects']) {
        const result = spawnSync(process.execPath, ['--import=tsx', self, mode, String(n), '300000'], { encoding: 'utf8' });
        if (result.status !== 0) throw new Error(`${mode} child at N = ${n} failed: ${result.stderr}`);
        const key = `${mode} ${n}`;
        runs.set(key, [...(runs.get(key) ?? []), (JSON.parse(result.stdout) as { usPerDelivery: number }).usPerDelivery]);
      }
    }
  }
  const at = (mode: string, n: number) => median(runs.get(`${mode} ${n}`)!);
  const rows = sizes.map((n) => [
    n.toLocaleString('en'),
    `${at('bare', n).toFixed(3)} µs`,
    `${(at('bare', n) / at('bare', 100)).toFixed(2)}×`,
    `${at('objects', n).toFixed(3)} µs`,
    `${(at('objects', n) / at('objects', 100)).toFixed(2)}×`,
  ]);
  console.log('PHOLD-actors floor: CPU per delivery, median of 3 child processes per cell\n');
  console.log(table(['N', 'bare loop', 'vs N=100', "bare loop + the workload's objects", 'vs N=100'], rows));
}

const [mode, n, deliveries] = process.argv.slice(2);
if (mode === undefined) main();
else console.log(JSON.stringify(child(mode === 'objects', Number(n), Number(deliveries))));
