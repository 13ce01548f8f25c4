/**
 * A pipeline's share of a scenario's work (see scenario/work-estimate.ts): every event a source
 * generates passes through the operators, multiplied by each split's fan-out, and every hop is a
 * handful of kernel events (the send, its delivery, the service time, the stream's append and
 * fetch). An order of magnitude, erring high.
 */
import type { EstimateContext, WorkShare } from '../../../scenario/feature.ts';
import type { Scenario } from '../../../scenario/types.ts';

/** Kernel events per event per operator it passes, persistent streams and checkpoints included (calibrated on the shipped pipelines). */
const EVENTS_PER_HOP = 10;

export function estimatePipeline(scenario: Scenario, { seconds }: EstimateContext): WorkShare[] {
  const operators = scenario.pipeline?.operators ?? [];
  const fanout = operators.reduce((product, op) => product * Math.max(1, op.fanout ?? 1), 1);
  return operators
    .filter((op) => op.ratePerSec !== undefined)
    .map((source) => {
      const generated = Math.min(source.ratePerSec! * seconds, source.limit ?? Infinity) * source.parallelism;
      return {
        path: ['pipeline', 'operators', source.name, 'rate'],
        what: `${source.ratePerSec}/s through ${operators.length} operator${operators.length === 1 ? '' : 's'}`,
        events: generated * operators.length * fanout * EVENTS_PER_HOP,
        // An operator's state size is modelled, not held: its memory is a few counters.
        bytes: 0,
      };
    });
}
