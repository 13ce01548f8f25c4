/**
 * A compute-heavy world for the parallel benchmark: many beamline sites, each reconstructing its
 * own detector's frames, with real CPU work in the handler (so there is something to parallelise).
 *
 * Each site has one node running a detector (a frame every `frameEveryUs`) and a reconstructor.
 * Reconstructing a frame is `workIterations` rounds of integer mixing — deterministic, no
 * allocation, about 5 ns a round — after which the reconstructor sends the frame's digest to the
 * aggregator of the next site over a WAN link of `latencyUs` (the lookahead). Aggregators fold the
 * digests they receive and record a `state` digest every 50.
 *
 * Built by recipe: every thread calls `heavyWorld(args, trace)` and gets the same world.
 */
import { World, type Actor, type Context, type Message, type PreparedRun, type TraceWriter } from '../src/index.ts';

export interface HeavyArgs {
  sites: number;
  /** Simulated length of the run, µs. */
  endUs: number;
  frameEveryUs: number;
  /** Rounds of mixing per frame: the CPU cost of one reconstruction. */
  workIterations: number;
  /** Latency of every WAN link, µs: the lookahead between partitions. */
  latencyUs: number;
}

interface Frame extends Message {
  type: 'frame';
  k: number;
}
interface Digest extends Message {
  type: 'digest';
  value: number;
}

/** `rounds` of xorshift-multiply mixing seeded by `seed`: deterministic CPU work. */
export function reconstruct(seed: number, rounds: number): number {
  let x = seed | 0 || 1;
  for (let i = 0; i < rounds; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x = Math.imul(x, 0x9e3779b1);
  }
  return x >>> 0;
}

class Detector implements Actor {
  private k = 0;
  constructor(private readonly args: HeavyArgs, private readonly to: string) {}
  start(ctx: Context): void {
    ctx.setTimer(ctx.rng('phase').int(0, this.args.frameEveryUs), 'frame');
  }
  onTimer(ctx: Context): void {
    ctx.send<Frame>(this.to, { type: 'frame', k: this.k++ }, { bytes: 1024 });
    ctx.setTimer(this.args.frameEveryUs, 'frame');
  }
}

class Reconstructor implements Actor<Frame> {
  constructor(private readonly args: HeavyArgs, private readonly aggregator: string) {}
  onMessage(ctx: Context, frame: Frame): void {
    const value = reconstruct(frame.k * 2654435761 + ctx.self.length, this.args.workIterations);
    ctx.send<Digest>(this.aggregator, { type: 'digest', value });
  }
}

class Aggregator implements Actor<Digest> {
  private folded = 0;
  private count = 0;
  onMessage(ctx: Context, digest: Digest): void {
    this.folded = (Math.imul(this.folded, 31) + digest.value) >>> 0;
    if (++this.count % 50 === 0) ctx.record('state', { digest: this.folded, count: this.count });
  }
}

export function heavyWorld(args: HeavyArgs, trace: TraceWriter): PreparedRun {
  const world = new World({ seed: 1, scenario: 'heavy', trace });
  const sites = Array.from({ length: args.sites }, (_, i) => `beamline${i + 1}`);
  for (const site of sites) world.addSite(site, { role: 'instrument' });
  // A ring of WAN links: each site sends its digests to the next.
  for (let i = 0; i < sites.length; i++) if (sites.length > 1 && (i + 1 < sites.length || sites.length > 2)) world.link(sites[i], sites[(i + 1) % sites.length], { latencyUs: args.latencyUs });
  sites.forEach((site, i) => {
    const next = sites[(i + 1) % sites.length];
    world.spawn(`aggregator-${site}`, `${site}-1`, () => new Aggregator());
    world.spawn(`reconstructor-${site}`, `${site}-1`, () => new Reconstructor(args, `aggregator-${next}`));
    world.spawn(`detector-${site}`, `${site}-1`, () => new Detector(args, `reconstructor-${site}`));
  });
  return { scenario: 'heavy', world, endUs: args.endUs, checks: [], metrics: [] };
}
