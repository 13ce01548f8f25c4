/**
 * The learning problem of the federated application, in closed form: each site i holds n_i samples
 * whose local objective is the quadratic f_i(w) = ½‖w − c_i‖², and the federation minimises the
 * sample-weighted average F(w) = Σ n_i f_i(w) / Σ n_i.
 *
 * Guarantee (why the loss is a real metric): F(w) = F* + ½‖w − w*‖² with w* = Σ n_i c_i / Σ n_i, so
 * the optimum is known exactly. E local gradient steps with rate η map w to
 * c_i + ρ(w − c_i) with ρ = (1 − η)^E, and FedAvg over every site maps w to w* + ρ(w − w*): each
 * round with full participation multiplies the excess loss F(w) − F* by ρ² < 1 (for 0 < η < 2).
 * With partial participation the round moves w toward the participants' own weighted centre
 * instead, so the loss may rise, and a policy that always leaves the same sites out (k-of-n with a
 * systematic straggler) converges to the wrong point.
 *
 * Pure functions on plain number arrays; no randomness here (the sites draw their data). It lives
 * in the feature's `shared/` folder because both sides use it: the sites and server train and
 * aggregate with it, and the `fl-converges` checker computes the optimum from the trace with it,
 * without importing the actors it judges.
 */

export type Vector = readonly number[];

/** One site's data as the objective sees it. */
export interface LocalObjective {
  readonly centre: Vector;
  readonly samples: number;
}

/** ½‖w − c‖². */
export function localLoss(w: Vector, centre: Vector): number {
  let sum = 0;
  for (let d = 0; d < w.length; d++) {
    const diff = w[d]! - centre[d]!;
    sum += diff * diff;
  }
  return sum / 2;
}

/** F(w) = Σ n_i f_i(w) / Σ n_i. */
export function globalLoss(w: Vector, sites: readonly LocalObjective[]): number {
  let weighted = 0;
  let samples = 0;
  for (const site of sites) {
    weighted += site.samples * localLoss(w, site.centre);
    samples += site.samples;
  }
  return samples === 0 ? 0 : weighted / samples;
}

/** w* = Σ n_i c_i / Σ n_i, the unique minimiser of F. */
export function optimum(sites: readonly LocalObjective[]): number[] {
  return weightedMean(sites.map((s) => ({ vector: s.centre, weight: s.samples })));
}

/** F(w*). */
export function optimumLoss(sites: readonly LocalObjective[]): number {
  return globalLoss(optimum(sites), sites);
}

/** `steps` gradient steps of rate `learningRate` on f_i from w: w ← w − η∇f_i(w) = w − η(w − c). */
export function trainLocally(w: Vector, centre: Vector, options: { learningRate: number; steps: number }): number[] {
  const out = [...w];
  for (let step = 0; step < options.steps; step++) {
    for (let d = 0; d < out.length; d++) out[d] = out[d]! - options.learningRate * (out[d]! - centre[d]!);
  }
  return out;
}

/** FedAvg: the sample-weighted mean of the participants' models (McMahan et al. 2017, Algorithm 1). */
export function fedAvg(updates: readonly { readonly weights: Vector; readonly samples: number }[]): number[] {
  return weightedMean(updates.map((u) => ({ vector: u.weights, weight: u.samples })));
}

function weightedMean(items: readonly { readonly vector: Vector; readonly weight: number }[]): number[] {
  if (items.length === 0) throw new Error('weightedMean of nothing');
  const dim = items[0]!.vector.length;
  const sum = new Array<number>(dim).fill(0);
  let total = 0;
  for (const { vector, weight } of items) {
    if (vector.length !== dim) throw new Error(`model dimension ${vector.length}, expected ${dim}`);
    for (let d = 0; d < dim; d++) sum[d] = sum[d]! + weight * vector[d]!;
    total += weight;
  }
  return sum.map((x) => x / total);
}
