/**
 * The sky behind a packet of alerts: which object each alert is of, and its magnitude.
 *
 * Guarantee: a packet's alerts are a pure function of the sky seed and the packet's event id, so
 * every broker sees the same alerts in a packet, and a broker that replays a packet after a crash
 * sees them again exactly. That is why they are not drawn from `ctx.rng`: an actor's streams
 * continue across its restarts, so a replay would draw different alerts. The stream used here is
 * the kernel's seeded stream (`deriveRng`), owned by the sky rather than by an actor.
 *
 * Objects are drawn uniformly from `[0, objects)`, so with ~10^4 alerts per visit over ~10^5
 * objects an object reappears every few visits and its history grows. Magnitudes are integers in
 * milli-magnitudes around a per-object baseline (so sums are exact in any order), with a 10%
 * chance of a ±1 mag excursion (the variable sky a broker is looking for).
 */
import { deriveRng } from '../../../kernel/contract/index.ts';
import type { PacketModel } from './config.ts';

export interface PacketAlerts {
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

export function packetAlerts(model: PacketModel, packet: string): PacketAlerts {
  const rng = deriveRng(model.skySeed, 'sky', packet);
  const objects = new Int32Array(model.alerts);
  const milliMag = new Int32Array(model.alerts);
  for (let i = 0; i < model.alerts; i++) {
    const object = rng.int(0, model.objects - 1);
    const excursion = rng.chance(EXCURSION_PROBABILITY) ? (rng.chance(0.5) ? -EXCURSION_MILLI_MAG : EXCURSION_MILLI_MAG) : 0;
    objects[i] = object;
    milliMag[i] = baseline(object) + rng.int(-NOISE_MILLI_MAG, NOISE_MILLI_MAG) + excursion;
  }
  return { objects, milliMag };
}

/** An object's baseline magnitude: a fixed function of its id (Knuth's multiplicative hash). */
function baseline(object: number): number {
  return BASE_MILLI_MAG + (Math.imul(object + 1, 0x9e3779b1) >>> 0) % BASE_SPREAD_MILLI_MAG;
}
