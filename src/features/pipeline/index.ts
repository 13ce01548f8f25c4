/**
 * Stateful stream pipelines as a feature: the `pipeline:` section (operators joined by named
 * streams, persistent streams on the replicated log) and the `checkpoint:` section (the strategy
 * protecting them), the `state-equals-reference` checker (against a fault-free run of the same
 * scenario and seed) and the recovery, checkpoint-cost and output metrics.
 */
import { defineFeature } from '../../scenario/feature.ts';
import { stateEqualsReference } from './checks/state-equals-reference.ts';
import { pipelineActorNames } from './scenario/actor-names.ts';
import { checkPipeline } from './scenario/cross-check.ts';
import { estimatePipeline } from './scenario/estimate.ts';
import { resolveCheckpoint, resolvePipeline } from './scenario/resolve.ts';
import { checkpointSchema, pipelineSchema } from './scenario/schema.ts';

export type { CheckpointSpec, PipelineSpec } from './scenario/types.ts';
export { intervalPolicy } from './scenario/resolve.ts';

export { adaptiveIntervalFields, intervalField } from './scenario/schema.ts';

export default defineFeature({
  name: 'pipeline',
  description: 'Stateful operators joined by streams, protected by a checkpoint strategy.',
  sections: {
    pipeline: pipelineSchema.optional(),
    checkpoint: checkpointSchema.optional(),
  },
  checkers: [stateEqualsReference],
  crossCheck: checkPipeline,
  actorNames: pipelineActorNames,
  resolve(s, { sites }) {
    if (s.pipeline === undefined) return {};
    const pipeline = resolvePipeline(s.pipeline, sites);
    return { pipeline, checkpoint: resolveCheckpoint(s.checkpoint, pipeline, sites) };
  },
  estimate: estimatePipeline,
  // Its build side (actors, clients, coverage paths): PIPELINE_BUILD in scenario/build.ts (features/builds.ts).
});
