/**
 * The sky behind the alerts: which object each alert is of, and its magnitude.
 *
 * Guarantee: an alert is a pure function of the sky seed and its id (`<producer>-v<visit>-<j>`),
 * so every broker sees the same alert, and a broker that replays an alert after a crash sees it
 * again exactly, in whatever order and however far apart it asks. That is why alerts are not drawn
 * from `ctx.rng`: an actor's streams continue across its restarts, so a replay would draw different
 * alerts. The stream used here is the kernel's seeded stream (`deriveRng`), one per visit and owned
 * by the sky: alert j of a visit is the j-th draw of its visit's stream. A `Sky` remembers the draws
 * of its last few visits (brokers read visits roughly in order) and draws a forgotten one again.
 *
 * Objects are drawn uniformly from `[0, objects)`, so with ~10^4 alerts per visit over ~10^5
 * objects an object reappears every few visits and its history grows. Magnitudes are integers in
 * milli-magnitudes around a per-object baseline (so sums are exact in any order), with a 10%
 * chance of a ±1 mag excursion (the variable sky a broker is looking for).
 */
import { deriveRng, type Rng } from '../../../kernel/contract/index.ts';
import { burstOfEvent } from '../../log/actors/index.ts';

export interface SkyModel {
  /** Distinct objects on the sky: alert object ids are drawn from [0, objects). */
  readonly objects: number;
  /** Seeds the sky (which object each alert sees, and its magnitude): the run's seed. */
  readonly skySeed: number | string;
}

/** Alerts side by side, in the order asked for. */
export interface AlertBatch {
  /** Object id of each alert. */
  readonly objects: Int32Array;
  /** Magnitude of each alert, milli-magnitudes. */
  readonly milliMag: Int32Array;
}

/** The typical survey magnitude (Rubin's single-visit depth is r ≈ 24.5; most detections are brighter). */
const BASE_MILLI_MAG = 21_000;
/** Per-object baselines spread over this many milli-magnitudes. */
const BASE_SPREAD_MILLI_MAG = 3_000;
/** Visit-to-visit noise, milli-magnitudes. */
const NOISE_MILLI_MAG = 100;
const EXCURSION_PROBABILITY = 0.1;
const EXCURSION_MILLI_MAG = 1_000;
/** Visits whose draws a `Sky` keeps; an older one is drawn again from its stream when asked. */
const VISITS_KEPT = 4;

interface VisitDraws {
  readonly rng: Rng;
  readonly objects: number[];
  readonly milliMag: number[];
}

export class Sky {
  private readonly visits = new Map<number, VisitDraws>();

  constructor(private readonly model: SkyModel) {}

  /** The alerts with these ids (made by the alert producer: `<producer>-v<visit>-<j>`). */
  alerts(ids: readonly string[]): AlertBatch {
    const objects = new Int32Array(ids.length);
    const milliMag = new Int32Array(ids.length);
    ids.forEach((id, i) => {
      const at = burstOfEvent(id);
      if (at === undefined) throw new Error(`sky: ${id} is not an alert of a visit`);
      const draws = this.drawn(at.burst, at.index);
      objects[i] = draws.objects[at.index]!;
      milliMag[i] = draws.milliMag[at.index]!;
    });
    return { objects, milliMag };
  }

  /** Visit `visit`'s draws, at least up to alert `index`. */
  private drawn(visit: number, index: number): VisitDraws {
    let draws = this.visits.get(visit);
    if (draws === undefined) {
      draws = { rng: deriveRng(this.model.skySeed, 'sky', `v${visit}`), objects: [], milliMag: [] };
      this.visits.set(visit, draws);
      if (this.visits.size > VISITS_KEPT) this.visits.delete(this.visits.keys().next().value!);
    }
    while (draws.objects.length <= index) {
      const object = draws.rng.int(0, this.model.objects - 1);
      const excursion = draws.rng.chance(EXCURSION_PROBABILITY) ? (draws.rng.chance(0.5) ? -EXCURSION_MILLI_MAG : EXCURSION_MILLI_MAG) : 0;
      draws.objects.push(object);
      draws.milliMag.push(baseline(object) + draws.rng.int(-NOISE_MILLI_MAG, NOISE_MILLI_MAG) + excursion);
    }
    return draws;
  }
}

/** An object's baseline magnitude: a fixed function of its id (Knuth's multiplicative hash). */
function baseline(object: number): number {
  return BASE_MILLI_MAG + (Math.imul(object + 1, 0x9e3779b1) >>> 0) % BASE_SPREAD_MILLI_MAG;
}
