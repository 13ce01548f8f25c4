/**
 * `fl-converges`: federated training reached the optimum, and never went backwards without cause.
 *
 * Reads the FL server's `state` records (src/features/federated/actors/). From `op: objective` (every site's
 * centre c_i and sample count n_i, and the initial model) the checker computes, itself, the optimum
 * loss F* = F(w*) with w* = Σ n_i c_i / Σ n_i and the initial excess loss F(w0) − F*. Anomalies:
 *  - `not-converged`: the last completed round's loss exceeds F* by more than `TOLERANCE` of the
 *    initial excess (cites the objective and the last round). Expected to fail when a policy always
 *    leaves the same site out (k-of-n or a tight deadline with a systematic straggler): FedAvg then
 *    converges to the participants' optimum, not the federation's.
 *  - `loss-increased`: a round that aggregated every site has a higher loss than the round before
 *    it, with no server crash or restart between them (cites both rounds). With every site
 *    aggregated the excess loss shrinks by (1 − η)^2E per round, so this is a bug. Rounds that
 *    left sites out are not judged (partial participation may raise the loss), nor pairs across a
 *    server restart (the model rolls back to its checkpoint); stats count them.
 *  - `no-objective` / `no-rounds`: nothing to judge — a failure, because a check that cannot see
 *    must not pass.
 */
import { formatMicros, type TraceRecord } from '../../../kernel/contract/index.ts';
import { globalLoss, optimumLoss, type LocalObjective } from '../shared/objective.ts';
import { cite, verdictOf, type CheckerDefinition, type Citation, type TraceChecker, type Verdict, type Violation } from '../../../check/checker.ts';

/** The final excess loss allowed, as a share of the initial excess loss. */
export const TOLERANCE = 0.01;
/** Floating-point slack when comparing two rounds' losses. */
const EPSILON = 1e-9;

export const flConverges: CheckerDefinition = {
  name: 'fl-converges',
  description: 'federated training ends within 1% (of the initial excess loss) of the optimum, and its loss never rises over a round that aggregated every site',
  create: () => new FlConverges(),
};

interface Round {
  readonly cite: Citation;
  readonly round: number;
  readonly loss: number;
}

class FlConverges implements TraceChecker {
  readonly name = flConverges.name;
  private objective: { cite: Citation; sites: LocalObjective[]; server: string; initial: number[] } | undefined;
  private last: Round | undefined;
  /** Set when the server crashed or restarted since `last`. */
  private interrupted = false;
  private readonly violations: Violation[] = [];
  private judged = 0;
  private partial = 0;
  private acrossRestart = 0;
  private rounds = 0;

  observe(record: TraceRecord): void {
    if (this.objective !== undefined && record.a === this.objective.server && (record.k === 'crash' || record.k === 'restart')) {
      this.interrupted = true;
      return;
    }
    if (record.k !== 'state') return;
    if (record.op === 'objective' && this.objective === undefined) {
      const centres = record.centres as number[][];
      const samples = record.samples as number[];
      this.objective = {
        cite: cite(record),
        server: record.a,
        sites: centres.map((centre, i) => ({ centre, samples: samples[i]! })),
        initial: record.initial as number[],
      };
    }
    if (record.op === 'round' && this.objective !== undefined && record.a === this.objective.server) this.onRound(record);
  }

  private onRound(record: TraceRecord): void {
    const round: Round = { cite: cite(record), round: record.round as number, loss: record.loss as number };
    const everySite = (record.participants as string[]).length === this.objective!.sites.length;
    this.rounds++;
    if (this.last !== undefined) {
      if (this.interrupted) this.acrossRestart++;
      else if (!everySite) this.partial++;
      else {
        this.judged++;
        if (round.loss > this.last.loss + EPSILON) {
          this.violations.push({
            anomaly: 'loss-increased',
            message: `round ${round.round} aggregated every site yet its loss ${round.loss} exceeds round ${this.last.round}'s ${this.last.loss} (${formatMicros(round.cite.t)}), with no server crash between`,
            cites: [this.last.cite, round.cite],
          });
        }
      }
    }
    this.last = round;
    this.interrupted = false;
  }

  verdict(): Verdict {
    const violations = [...this.violations];
    const stats: Record<string, number> = { rounds: this.rounds, judgedPairs: this.judged, partialRounds: this.partial, pairsAcrossRestart: this.acrossRestart };
    if (this.objective === undefined) {
      violations.push({ anomaly: 'no-objective', message: 'no FL server recorded its objective, so convergence cannot be judged', cites: [] });
      return verdictOf(violations, stats);
    }
    const best = optimumLoss(this.objective.sites);
    const initialExcess = globalLoss(this.objective.initial, this.objective.sites) - best;
    stats.optimumLoss = best;
    stats.initialExcessLoss = initialExcess;
    if (this.last === undefined) {
      violations.push({ anomaly: 'no-rounds', message: 'the FL server completed no round', cites: [this.objective.cite] });
      return verdictOf(violations, stats);
    }
    const excess = this.last.loss - best;
    stats.finalLoss = this.last.loss;
    stats.finalExcessShare = initialExcess > 0 ? excess / initialExcess : 0;
    if (excess > TOLERANCE * initialExcess + EPSILON) {
      violations.push({
        anomaly: 'not-converged',
        message: `after round ${this.last.round} (${formatMicros(this.last.cite.t)}) the loss ${this.last.loss} exceeds the optimum ${best} by ${(100 * excess / initialExcess).toFixed(2)}% of the initial excess (tolerance ${100 * TOLERANCE}%)`,
        cites: [this.objective.cite, this.last.cite],
      });
    }
    return verdictOf(violations, stats);
  }
}
