/**
 * The `federated:` section: one federated-learning job (src/features/federated/actors/) — a FedAvg server
 * and its sites, the round policy, the update size on the wire, the local training, the compute
 * time model and the server's checkpointing (schema-federated-checkpoint.ts).
 */
import * as z from 'zod';
import { FL_DEFAULTS, FL_POLICIES } from '../actors/config.ts';
import { count, positiveDuration, positiveSize, probability, reference } from '../../../scenario/fields.ts';
import { federatedCheckpointSchema } from './schema-checkpoint.ts';
import { SITE_ROLES } from '../../../scenario/types.ts';

/** `all of role <role>`: the first node of every site with that role. */
export const ALL_OF_ROLE = new RegExp(`^all of role (${SITE_ROLES.join('|')})$`);

const computeSchema = z.strictObject({
  median: positiveDuration().prefault('30s').describe('Median local training time of one round on a normal site, a duration. Default 30s.'),
  sigma: z.number().min(0).max(3).default(FL_DEFAULTS.compute.sigma).describe('Spread of the per-round lognormal (σ of its normal), 0..3; 0 = always the median. Default 0.25.'),
  stragglers: probability().prefault(FL_DEFAULTS.compute.stragglerProbability).describe('Probability that a site is a straggler (drawn once per site from its seed), 0..1 or a percentage. Default 20%.'),
  'straggler-slowdown': z.number().min(1).default(FL_DEFAULTS.compute.stragglerSlowdown).describe('A straggler\'s compute time multiplier, ≥ 1. Default 4.'),
});

export const federatedSchema = z.strictObject({
  server: reference().describe('Where the FedAvg server runs: a node name, or a site name meaning its first node. Required.'),
  sites: z
    .union([z.array(reference()).min(1), z.string().regex(ALL_OF_ROLE, { error: (issue) => `expected a list of node or site names, or "all of role <${SITE_ROLES.join('|')}>", got ${JSON.stringify(issue.input)}` })])
    .describe('The participating sites: a list of node names or site names (a site means its first node), or "all of role edge" (the first node of every site with that role). Required.'),
  rounds: count(1).default(FL_DEFAULTS.rounds).describe('Rounds of FedAvg to complete, an integer ≥ 1. Default 30.'),
  policy: z.enum(FL_POLICIES).default('wait-all').describe('When a round ends: wait-all (every site), k-of-n (the first k updates), deadline (what arrived by the deadline, at least one). Default wait-all.'),
  k: count(1).optional().describe('Updates that end a round under k-of-n, 1..number of sites. Required with policy k-of-n.'),
  deadline: positiveDuration().optional().describe('Length of a round under the deadline policy, a duration. Required with policy deadline.'),
  'update-size': positiveSize().prefault('20MiB').describe('Bytes of the model and of each update on the wire, and of a checkpoint on disk (e.g. 20MiB). Default 20MiB.'),
  'model-dim': count(1).default(FL_DEFAULTS.modelDim).describe('Dimension of the real model vector that is trained, an integer ≥ 1. Default 8.'),
  'local-steps': count(1).default(FL_DEFAULTS.localSteps).describe('Local gradient steps per round (E), an integer ≥ 1. Default 1.'),
  'learning-rate': z.number().gt(0).lt(2).default(FL_DEFAULTS.learningRate).describe('Local learning rate η, 0 < η < 2 (convergence needs |1 − η| < 1). Default 0.1.'),
  checkpoint: federatedCheckpointSchema.prefault({}),
  resend: positiveDuration().prefault('30s').describe('The server re-sends the round\'s model to sites that have not answered after this long (dropouts rejoin this way), a duration. Default 30s.'),
  compute: computeSchema.prefault({}).describe('Local training time per round. Default: median 30s, sigma 0.25, stragglers 20%, straggler-slowdown 4.'),
});

export type WrittenFederated = z.output<typeof federatedSchema>;

declare module '../../../scenario/written-types.ts' {
  interface WrittenSections {
    federated: WrittenFederated;
  }
}
